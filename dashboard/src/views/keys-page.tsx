// API keys: create one (its secret is shown once, with a copy button), list them by prefix, revoke (with every key
// minted from it, which the list then shows revoked too).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import {
  API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey, type ApiKey, type ApiKeyScope, type CreatedApiKey, type RevokedApiKey,
} from '../api/platform.ts'
import { useWorkspace } from '../context.ts'
import { formatDate, timeAgo } from '../format.ts'
import { ConfirmDialog } from './confirm-dialog.tsx'

const SCOPE_HELP: Record<ApiKeyScope, string> = {
  'chat': 'talk to your superfriends',
  'agents:read': 'list and read superfriends',
  'agents:write': 'create, change and delete superfriends',
  'api-keys:write': 'manage API keys',
  'usage:read': 'read usage',
}

/** What a revoke took with it, or null when it was the key alone. */
function revokedWithMinted(revoked: RevokedApiKey): string | null {
  const count = revoked.mintedKeysRevoked
  if (!count) return null
  return `Revoked “${revoked.name}” and ${count} ${count === 1 ? 'key' : 'keys'} minted from it.`
}

export function KeysPage() {
  const workspace = useWorkspace()
  const [keys, setKeys] = useState<ApiKey[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['chat', 'agents:read'])
  const [created, setCreated] = useState<CreatedApiKey | null>(null)
  const [copied, setCopied] = useState(false)
  const [doomed, setDoomed] = useState<ApiKey | null>(null)
  const [busy, setBusy] = useState(false)
  const secret = useRef<HTMLInputElement>(null)

  const load = useCallback(async () => {
    try {
      setKeys(await listApiKeys(await workspace.credentials()))
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }, [workspace.credentials])
  useEffect(() => { void load() }, [load])

  const create = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    setNotice(null)
    try {
      const key = await createApiKey(await workspace.credentials(), { name: name.trim(), scopes })
      setCreated(key)
      setCopied(false)
      setName('')
      setKeys((list) => [key, ...(list ?? [])])
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  useEffect(() => { if (created) secret.current?.select() }, [created])

  const copy = async () => {
    if (!created) return
    try {
      await navigator.clipboard.writeText(created.key)
    } catch {
      secret.current?.select()
      document.execCommand('copy')
    }
    setCopied(true)
  }

  const revoke = async () => {
    if (!doomed) return
    setBusy(true)
    setError(null)
    setNotice(null)
    try {
      const revoked = await revokeApiKey(await workspace.credentials(), doomed.id)
      setKeys((list) => (list ?? []).map((k) => (k.id === revoked.id ? revoked : k)))
      if (created?.id === revoked.id) setCreated(null)
      setNotice(revokedWithMinted(revoked))
      // The keys minted from it were revoked with it: only a fresh list shows which (the answer carries just a count).
      if (revoked.mintedKeysRevoked) void load()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setDoomed(null)
      setBusy(false)
    }
  }

  const toggle = (scope: ApiKeyScope, on: boolean) => setScopes((list) => (on ? [...list, scope] : list.filter((s) => s !== scope)))
  const sorted = [...(keys ?? [])].sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt) || b.createdAt.localeCompare(a.createdAt))

  return (
    <section>
      <h1 tabIndex={-1}>API keys</h1>
      <p class="hint">Keys let your code call the platform API and talk to your superfriends: <code>Authorization: Bearer mi_…</code>.</p>
      {error && <p role="alert" class="error">{error}</p>}
      {created && (
        <div class="card created-key" role="region" aria-labelledby="created-key-title">
          <h2 id="created-key-title">Your new key “{created.name}”</h2>
          <p><strong>Copy it now: it is shown only once.</strong> We keep only a hash of it.</p>
          <div class="secret">
            <input ref={secret} readOnly value={created.key} aria-label="New API key" spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="primary" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
          </div>
          <button type="button" class="link" onClick={() => setCreated(null)}>I have stored it, hide it</button>
        </div>
      )}
      <form class="card form" onSubmit={create}>
        <h2>Create a key</h2>
        <label for="key-name">Name</label>
        <input id="key-name" required maxLength={200} placeholder="e.g. my laptop, production backend" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <fieldset>
          <legend>What may it do?</legend>
          {API_KEY_SCOPES.map((scope) => (
            <label class="choice"><input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.currentTarget.checked)} />
              <code>{scope}</code> — {SCOPE_HELP[scope]}</label>
          ))}
        </fieldset>
        <button type="submit" class="primary" disabled={busy || !name.trim() || scopes.length === 0}>Create key</button>
      </form>
      <h2>Your keys</h2>
      {notice && <p role="status" class="notice">{notice}</p>}
      {!keys ? <p role="status">Loading…</p> : keys.length === 0 ? <p class="hint">No keys yet.</p> : (
        <div class="table-wrap">
          <table class="keys">
            <thead><tr><th scope="col">Key</th><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {sorted.map((k) => (
                <tr data-prefix={k.prefix} class={k.revokedAt ? 'revoked' : ''}>
                  <td><code>mi_{k.prefix}_…</code></td>
                  <td>{k.name}</td>
                  <td>{k.scopes.join(', ')}</td>
                  <td>{timeAgo(k.lastUsedAt)}</td>
                  <td>{k.revokedAt ? <span class="badge revoked">revoked {formatDate(k.revokedAt)}</span> : <span class="badge active">active</span>}</td>
                  <td>{!k.revokedAt && <button type="button" class="danger" aria-label={`Revoke ${k.name} (mi_${k.prefix})`} onClick={() => setDoomed(k)}>Revoke</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {doomed && (
        <ConfirmDialog title={`Revoke “${doomed.name}”?`} confirmLabel="Revoke key" busy={busy} onConfirm={revoke} onCancel={() => setDoomed(null)}>
          <p>Requests with <code>mi_{doomed.prefix}_…</code> stop working at once. This cannot be undone.</p>
          {doomed.scopes.includes('api-keys:write') && <p>Keys it minted, and keys those minted, are revoked with it.</p>}
        </ConfirmDialog>
      )}
    </section>
  )
}
