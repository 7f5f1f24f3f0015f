// The signed-out page: what myintell.ai is, and the way in (the dev sign-in locally, Clerk in production).
import { useState } from 'preact/hooks'
import type { Auth, Session } from '../auth/auth.ts'

export function SignedOut(props: { auth: Auth; onSignedIn: (session: Session) => void }) {
  const [email, setEmail] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const session = await props.auth.signIn(email.trim())
      if (session) props.onSignedIn(session)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="signed-out">
      <section class="hero">
        <p class="brand" aria-hidden="true">myintell.ai</p>
        <h1>Your superfriends</h1>
        <p class="lead">
          Persistent AI agents, each with its own address like <code>ada.myintell.ai</code>, its own memory and personality.
          They sleep for free when nobody talks to them and wake up on the next message.
        </p>
        <ul class="points">
          <li><strong>Chat, API or WebSocket</strong> — reach a superfriend however you like.</li>
          <li><strong>Memory that lasts</strong> — it keeps the facts you tell it, and you can see and delete them.</li>
          <li><strong>Scales to zero</strong> — idle superfriends cost nearly nothing; the first request wakes them.</li>
        </ul>
      </section>
      <section class="card sign-in" aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">Sign in</h2>
        {props.auth.kind === 'dev' ? (
          <form onSubmit={submit}>
            <p class="hint">Local development: sign in with any email address; no password, no account anywhere.</p>
            <label for="email">Email</label>
            <input id="email" type="email" required autoComplete="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            <button type="submit" class="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
          </form>
        ) : (
          <button type="button" class="primary" disabled={busy} onClick={submit}>Sign in or create an account</button>
        )}
        {error && <p role="alert" class="error">{error}</p>}
      </section>
    </main>
  )
}
