// The superfriends list: each one's state (asleep / waking / awake), last activity, address, and actions.
import { useState } from 'preact/hooks'
import { hosts } from '../api/hosts.ts'
import { deleteAgent, type Agent } from '../api/platform.ts'
import { useWorkspace } from '../context.ts'
import { timeAgo } from '../format.ts'
import { href } from '../router.ts'
import { ConfirmDialog } from './confirm-dialog.tsx'
import { StateBadge } from './state-badge.tsx'

export function AgentsPage() {
  const workspace = useWorkspace()
  const [doomed, setDoomed] = useState<Agent | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { agents } = workspace

  const confirmDelete = async () => {
    if (!doomed) return
    setBusy(true)
    try {
      await deleteAgent(await workspace.credentials(), doomed.id)
      workspace.forgetAgent(doomed.id)
      setDoomed(null)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
      setDoomed(null)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section>
      <div class="page-head">
        <h1 tabIndex={-1}>Superfriends</h1>
        <a class="button primary" href={href.newSuperfriend()}>New superfriend</a>
      </div>
      {workspace.agentsError && <p role="alert" class="error">Could not refresh the list: {workspace.agentsError}</p>}
      {error && <p role="alert" class="error">{error}</p>}
      {!agents ? <p role="status">Loading…</p> : agents.length === 0 ? (
        <div class="empty card">
          <p>No superfriends yet. A superfriend is an AI agent with its own address, memory and personality, asleep until someone talks to it.</p>
          <a class="button primary" href={href.newSuperfriend()}>Create your first superfriend</a>
        </div>
      ) : (
        <ul class="agent-list" aria-label="Your superfriends">
          {agents.map((agent) => (
            <li class="card agent" data-slug={agent.slug}>
              <div class="agent-main">
                <h2><a href={href.chat(agent.slug)}>{agent.name}</a></h2>
                <p class="address"><code>{hosts.agentHost(agent.slug)}</code> · {agent.visibility}</p>
                <p class="meta">
                  <StateBadge state={agent.workloadState} />
                  <span class="activity">Last activity: <time dateTime={agent.lastActiveAt ?? undefined}>{timeAgo(agent.lastActiveAt)}</time></span>
                </p>
              </div>
              <div class="agent-actions">
                <a class="button" href={href.chat(agent.slug)} aria-label={`Chat with ${agent.name}`}>Chat</a>
                <a class="button" href={href.edit(agent.slug)} aria-label={`Edit ${agent.name}`}>Edit</a>
                <button type="button" class="danger" aria-label={`Delete ${agent.name}`} onClick={() => setDoomed(agent)}>Delete</button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {doomed && (
        <ConfirmDialog title={`Delete ${doomed.name}?`} confirmLabel="Delete superfriend" busy={busy}
          onConfirm={confirmDelete} onCancel={() => setDoomed(null)}>
          <p><code>{hosts.agentHost(doomed.slug)}</code> stops answering, and its conversations and memories are deleted. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  )
}
