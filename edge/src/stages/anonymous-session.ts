// An anonymous caller of a public agent gets a session of its own, so the agent can keep its
// conversations apart from everyone else's: the principal becomes `anon:<id>` from the caller's session cookie, or
// from a new session whose cookie goes out on the answer, whatever the answer is (JSON, SSE, a WebSocket 101, an
// error). A cookie that does not verify (forged, altered, another agent's, expired) is replaced, never trusted.
// A private agent's anonymous callers are left as `anonymous`, for authorize to refuse.

import type { MiddlewareHandler } from 'hono'
import {
  ANON_SESSION_RENEW_AFTER_S, anonSessionCookieName, anonSessionSetCookie, decodeAnonSession, newAnonSession,
} from '../auth/anon-session.ts'
import { readCookie } from '../auth/credentials.ts'
import type { EdgeEnv } from '../context.ts'

/** `response` with one more Set-Cookie. A 101 is rebuilt around its socket: its headers cannot be changed in place. */
function withCookie(response: Response, cookie: string): Response {
  if (response.status === 101 && response.webSocket) {
    const headers = new Headers(response.headers)
    headers.append('set-cookie', cookie)
    return new Response(null, { status: 101, webSocket: response.webSocket, headers })
  }
  const copy = new Response(response.body, response) // a response from fetch() has immutable headers
  copy.headers.append('set-cookie', cookie)
  return copy
}

export const anonymousSession = (): MiddlewareHandler<EdgeEnv> =>
  async function anonymousSession(c, next) {
    const route = c.get('route')
    if (c.get('principal') !== 'anonymous' || route.visibility !== 'public') return next()
    const secure = new URL(c.req.url).protocol === 'https:'
    const key = c.get('config').anonSessionKey
    const nowS = Math.floor(Date.now() / 1000)
    // The client's own Cookie header: authenticate already took the edge's cookies out of what is forwarded.
    const presented = readCookie(c.req.raw.headers.get('cookie'), anonSessionCookieName(secure))
    const held = decodeAnonSession(presented, route.agentId, key, nowS)
    const session = held ?? newAnonSession(nowS)
    c.set('principal', `anon:${session.id}`)
    await next()
    if (held && nowS - held.issuedAt < ANON_SESSION_RENEW_AFTER_S) return
    const cookie = anonSessionSetCookie({ id: session.id, issuedAt: nowS }, route.agentId, key, secure)
    const response = withCookie(c.res, cookie)
    c.res = undefined // replace, not merge: Hono's setter would copy the old headers over the new ones
    c.res = response
  }
