// A superfriend's secrets: model keys, base URLs, MCP tokens. Write-only: the page lists names and when each was set,
// sets (creates or replaces) and deletes them; no value ever comes back from the platform, so none is shown.
import { useCallback, useEffect, useState } from 'preact/hooks'
import { ApiProblem } from '../api/http.ts'
import { deleteSecret, listSecrets, putSecret, type Secret } from '../api/platform.ts'
import { useWorkspace } from '../context.ts'
import { formatDate } from '../format.ts'
import { href } from '../router.ts'
import { AgentHeader, useAgentBySlug } from './agent-header.tsx'
import { ConfirmDialog } from './confirm-dialog.tsx'
import { SECRET_NAME } from '../../../wire/agent-tools.ts'

export function SecretsPage(props: { slug: string }) {
  const workspace = useWorkspace()
  const agent = useAgentBySlug(workspace.agents, props.slug)
  const [secrets, setSecrets] = useState<Secret[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [name, setName] = useState('')
  const [value, setValue] = useState('')
  const [busy, setBusy] = useState(false)
  const [doomed, setDoomed] = useState<Secret | null>(null)

  const load = useCallback(async () => {
    if (!agent) return
    try {
      setSecrets(await listSecrets(await workspace.credentials(), agent.id))
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }, [agent?.id, workspace.credentials])
  useEffect(() => { void load() }, [load])

  const nameProblem = name !== '' && !SECRET_NAME.test(name)
  const save = async (event: Event) => {
    event.preventDefault()
    if (!agent || nameProblem || !name || !value) return
    setBusy(true)
    setError(null)
    setNotice(null)
    try {
      const replaced = secrets?.some((s) => s.name === name)
      await putSecret(await workspace.credentials(), agent.id, name, value)
      setNotice(`${replaced ? 'Replaced' : 'Set'} ${name}.`)
      setName('')
      setValue('')
      await load()
    } catch (e) {
      setError(e instanceof ApiProblem ? (e.detail ?? e.title) : e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  const remove = async () => {
    if (!agent || !doomed) return
    setBusy(true)
    setError(null)
    setNotice(null)
    try {
      await deleteSecret(await workspace.credentials(), agent.id, doomed.name)
      setNotice(`Deleted ${doomed.name}.`)
      setSecrets((list) => (list ?? []).filter((s) => s.name !== doomed.name))
    } catch (e) {
      setError(e instanceof ApiProblem ? (e.detail ?? e.title) : e instanceof Error ? e.message : String(e))
    } finally {
      setDoomed(null)
      setBusy(false)
    }
  }

  if (agent === undefined) return <p role="status">Loading…</p>
  if (agent === null) return <section><h1 tabIndex={-1}>Not found</h1><p><a href={href.superfriends()}>Back to the list</a></p></section>
  return (
    <section>
      <AgentHeader agent={agent} tab="secrets" />
      <h2 id="secrets-title" tabIndex={-1}>Secrets</h2>
      <p class="hint">Values {agent.name} receives and nobody can read back: a model key (<code>OPENAI_API_KEY</code>), a server for
        open models (<code>OPENAI_BASE_URL</code>), a token an MCP server expects. They are encrypted at rest and override the
        platform's own of the same name.</p>
      {error && <p role="alert" class="error">{error}</p>}
      {notice && <p role="status" class="notice">{notice}</p>}
      <form class="card form" onSubmit={save} noValidate>
        <h3>Set a secret</h3>
        <label for="secret-name">Name</label>
        <input id="secret-name" required maxLength={64} autoCapitalize="characters" autoComplete="off" spellcheck={false}
          placeholder="OPENAI_API_KEY" value={name} aria-invalid={nameProblem ? 'true' : 'false'} aria-describedby="secret-name-help"
          onInput={(e) => setName(e.currentTarget.value)} />
        <p id="secret-name-help" class={nameProblem ? 'error' : 'hint'} aria-live="polite">
          Upper-case letters, digits and _, starting with a letter. Setting an existing name replaces its value.</p>
        <label for="secret-value">Value</label>
        <input id="secret-value" type="password" required autoComplete="off" spellcheck={false} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy || !name || nameProblem || !value}>Save secret</button>
      </form>
      <h3>{agent.name}'s secrets</h3>
      {secrets === null ? <p role="status">Loading…</p> : secrets.length === 0 ? <p class="hint">No secrets yet.</p> : (
        <div class="table-wrap">
          <table class="secrets">
            <thead><tr><th scope="col">Name</th><th scope="col">Set</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {secrets.map((s) => (
                <tr data-secret={s.name}>
                  <td><code>{s.name}</code></td>
                  <td>{formatDate(s.updatedAt)}</td>
                  <td><button type="button" class="danger" aria-label={`Delete ${s.name}`} onClick={() => setDoomed(s)}>Delete</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {doomed && (
        <ConfirmDialog title={`Delete ${doomed.name}?`} confirmLabel="Delete secret" busy={busy} onConfirm={remove} onCancel={() => setDoomed(null)}>
          <p>{agent.name} stops receiving it from its next turn. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  )
}
