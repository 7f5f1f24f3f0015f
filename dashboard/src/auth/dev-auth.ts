// Local sign-in: POST /v1/dev/sign-in { email } on the platform API mints a session JWT (the local issuer).
// The token lives in localStorage until it expires; there is no password because there is no account.

import { hosts } from '../api/hosts.ts'
import { requestJson } from '../api/http.ts'
import type { Auth, Session } from './auth.ts'

const STORAGE_KEY = 'myintell.dev-session'
/** Treat a token as expired this long before it is, so a request never leaves with a dying token. */
const EXPIRY_MARGIN_MS = 30_000

interface StoredSession extends Session { expiresAt: string }

function read(): StoredSession | null {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as StoredSession | null
    if (!stored || Date.parse(stored.expiresAt) - EXPIRY_MARGIN_MS < Date.now()) return null
    return stored
  } catch {
    return null
  }
}

export function devAuth(): Auth {
  return {
    kind: 'dev',
    restore: async () => read(),
    async signIn(email) {
      const result = await requestJson<{ token: string; userId: string; expiresAt: string }>(`${hosts.apiUrl}/v1/dev/sign-in`, null, {
        method: 'POST', body: { email },
      })
      const session: StoredSession = { token: result.token, userId: result.userId, email, expiresAt: result.expiresAt }
      localStorage.setItem(STORAGE_KEY, JSON.stringify(session))
      return session
    },
    async signOut() {
      localStorage.removeItem(STORAGE_KEY)
    },
    token: async () => read()?.token ?? null,
  }
}
