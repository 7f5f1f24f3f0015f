// Where a cookie is the credential, the browser sends it with requests that other sites make, so a
// cookie-authenticated request that changes something (not GET/HEAD/OPTIONS) or opens a WebSocket must carry
// the Origin of this superfriend itself or of the dashboard; anything else is 403 `origin-not-allowed` before
// it reaches the agent (cross-site request forgery and cross-site WebSocket hijacking). A Bearer credential is
// never sent by a browser on its own, so requests that carry one are not affected.

import { ANON_SESSION_COOKIE, SECURE_ANON_SESSION_COOKIE } from '../auth/anon-session.ts'
import type { MiddlewareHandler } from 'hono'
import { readCredential, SESSION_COOKIE } from '../auth/credentials.ts'
import type { EdgeEnv } from '../context.ts'
import { originNotAllowed } from '../problems.ts'
import { dashboardOrigin } from './cors.ts'

/**
 * Cookies the edge takes as a credential: the Clerk session, and the anonymous session the edge issues to the
 * callers of a public agent (the name authenticate gives it).
 */
export const AMBIENT_CREDENTIAL_COOKIES: readonly string[] = [SESSION_COOKIE, ANON_SESSION_COOKIE, SECURE_ANON_SESSION_COOKIE]
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** true when the credential the edge will use is a cookie: one of ours is set, and no Bearer credential wins over it. */
export function cookieAuthenticates(headers: Headers): boolean {
  const cookie = headers.get('cookie')
  if (!cookie) return false
  // The credential the Authorization header alone gives, by the same rule authenticate applies (a Bearer wins).
  const withoutCookies = new Headers(headers)
  withoutCookies.delete('cookie')
  if (readCredential(withoutCookies) !== null) return false
  return cookie.split(';').some((part) => {
    const [name, ...value] = part.trim().split('=')
    return AMBIENT_CREDENTIAL_COOKIES.includes(name ?? '') && value.join('=') !== ''
  })
}

/** Whether `request` needs its Origin checked: an unsafe method or a WebSocket upgrade. */
export function needsOriginCheck(method: string, headers: Headers): boolean {
  return !SAFE_METHODS.has(method.toUpperCase()) || (headers.get('upgrade') ?? '').toLowerCase() === 'websocket'
}

/** The agent's own origin (the request URL's) or the dashboard's; `null`, a missing or any other Origin is not. */
export function isAllowedOrigin(origin: string | null, requestUrl: string, baseDomain: string): boolean {
  if (!origin) return false
  return origin === new URL(requestUrl).origin || dashboardOrigin(origin, baseDomain) !== null
}

export const cookieOrigin = (): MiddlewareHandler<EdgeEnv> =>
  async function cookieOrigin(c, next) {
    const headers = c.req.raw.headers
    if (c.get('host').kind === 'agent' && cookieAuthenticates(headers) && needsOriginCheck(c.req.method, headers)
      && !isAllowedOrigin(headers.get('origin'), c.req.url, c.get('config').baseDomain)) {
      throw originNotAllowed()
    }
    await next()
  }
