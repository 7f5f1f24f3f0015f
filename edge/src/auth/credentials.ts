// Where a caller's credential comes from: `Authorization: Bearer …` or Clerk's `__session` cookie.
// The edge consumes it: the agent behind sees X-Principal, never the caller's session or key (nor the anonymous
// session cookie, auth/anon-session.ts, which is the edge's alone too).

import { ANON_SESSION_COOKIE, SECURE_ANON_SESSION_COOKIE } from './anon-session.ts'

export const SESSION_COOKIE = '__session'
export const API_KEY_PREFIX = 'mi_'

export type Credential = { kind: 'api-key'; key: string } | { kind: 'jwt'; token: string }

export function readCredential(headers: Headers): Credential | null {
  const authorization = headers.get('authorization')
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
  const token = bearer ?? readCookie(headers.get('cookie'), SESSION_COOKIE)
  if (!token) return null
  return token.startsWith(API_KEY_PREFIX) ? { kind: 'api-key', key: token } : { kind: 'jwt', token }
}

/** Cookies the edge reads itself and never forwards. */
const EDGE_COOKIES = [SESSION_COOKIE, ANON_SESSION_COOKIE, SECURE_ANON_SESSION_COOKIE]

/** The value of the first cookie called `name` in a Cookie header; null when there is none (or it is empty). */
export function readCookie(cookieHeader: string | null, name: string): string | null {
  if (!cookieHeader) return null
  for (const part of cookieHeader.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=') || null
  }
  return null
}

/** Removes the credential `readCredential` found (bearer header, session cookie) and the anonymous session cookie from `headers`. */
export function dropCredentials(headers: Headers): void {
  if (/^Bearer\s/i.test(headers.get('authorization') ?? '')) headers.delete('authorization')
  const cookie = headers.get('cookie')
  if (cookie) {
    const kept = cookie.split(';').map((p) => p.trim()).filter((p) => p && !EDGE_COOKIES.some((name) => p.startsWith(`${name}=`)))
    if (kept.length) headers.set('cookie', kept.join('; '))
    else headers.delete('cookie')
  }
}
