// What a superfriend remembers across conversations: viewable and deletable by its users.
// Opening this page asks the superfriend itself, so it wakes a sleeping one.
import { useCallback, useEffect, useState } from 'preact/hooks'
import { deleteMemory, listMemories, type Memory } from '../api/superfriend.ts'
import { useWorkspace } from '../context.ts'
import { formatDate } from '../format.ts'
import { href } from '../router.ts'
import { AgentHeader, useAgentBySlug } from './agent-header.tsx'

export function MemoriesPage(props: { slug: string }) {
  const workspace = useWorkspace()
  const agent = useAgentBySlug(workspace.agents, props.slug)
  const [memories, setMemories] = useState<Memory[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [deleting, setDeleting] = useState<string | null>(null)

  const load = useCallback(async () => {
    try {
      setError(null)
      setMemories(await listMemories(await workspace.credentials(), props.slug))
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }, [props.slug, workspace.credentials])
  useEffect(() => { if (agent) void load() }, [agent?.id])

  const remove = async (memory: Memory) => {
    setDeleting(memory.id)
    try {
      await deleteMemory(await workspace.credentials(), props.slug, memory.id)
      setMemories((list) => (list ?? []).filter((m) => m.id !== memory.id))
      document.getElementById('memories-title')?.focus()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setDeleting(null)
    }
  }

  if (agent === undefined) return <p role="status">Loading…</p>
  if (agent === null) return <section><h1 tabIndex={-1}>Not found</h1><p><a href={href.superfriends()}>Back to the list</a></p></section>
  return (
    <section>
      <AgentHeader agent={agent} tab="memories" />
      <h2 id="memories-title" tabIndex={-1}>Memories</h2>
      <p class="hint">Facts {agent.name} keeps across conversations (say “remember that …” in a chat). Deleting one makes it forget.
        {agent.visibility === 'public' && ' What a visitor asks it to remember is kept for that visitor alone.'}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {memories === null ? <p role="status">Loading (this wakes {agent.name} if it is asleep)…</p> : memories.length === 0 ? <p class="hint">Nothing remembered yet.</p> : (
        <ul class="memories">
          {memories.map((m) => (
            <li class="card memory">
              <p>{m.content}</p>
              <p class="meta">{m.source === 'user' ? 'from a conversation' : m.source}{m.principal ? ' · kept for one visitor only' : ''} · {formatDate(m.createdAt)}</p>
              <button type="button" class="danger" disabled={deleting === m.id} aria-label={`Forget: ${m.content}`} onClick={() => remove(m)}>Forget</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
