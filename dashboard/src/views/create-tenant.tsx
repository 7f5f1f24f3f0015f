// First sign-in with no tenant yet: name a workspace (a tenant), which the user then owns.
import { useState } from 'preact/hooks'
import { checkSlug } from '../../../wire/slug.ts'
import type { Credentials } from '../api/http.ts'
import { createTenant, type Tenant } from '../api/platform.ts'
import type { Session } from '../auth/auth.ts'
import { slugFromName } from '../format.ts'

export function CreateTenant(props: { session: Session; credentials: () => Promise<Credentials>; onCreated: (tenant: Tenant) => void }) {
  const suggested = slugFromName((props.session.email ?? 'my').split('@')[0] ?? 'my')
  const [name, setName] = useState('')
  const [slug, setSlug] = useState(suggested.length >= 3 ? `${suggested}-workspace`.slice(0, 40) : 'my-workspace')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const slugProblem = checkSlug(slug)

  const submit = async (event: Event) => {
    event.preventDefault()
    if (slugProblem) return
    setBusy(true)
    setError(null)
    try {
      props.onCreated(await createTenant(await props.credentials(), { slug, name: name.trim() || slug }))
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="centered">
      <form class="card" onSubmit={submit}>
        <h1>Name your workspace</h1>
        <p class="hint">Your superfriends, API keys and usage live in a workspace. You can invite others later.</p>
        <label for="tenant-name">Workspace name</label>
        <input id="tenant-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="tenant-slug">Workspace id</label>
        <input id="tenant-slug" required value={slug} aria-describedby="tenant-slug-help" aria-invalid={slugProblem ? 'true' : 'false'}
          onInput={(e) => setSlug(e.currentTarget.value)} />
        <p id="tenant-slug-help" class={slugProblem ? 'error' : 'hint'} aria-live="polite">{slugProblem ? `The id ${slugProblem.message}.` : 'Looks good.'}</p>
        <button type="submit" class="primary" disabled={busy || !!slugProblem}>Create workspace</button>
        {error && <p role="alert" class="error">{error}</p>}
      </form>
    </main>
  )
}
