// CORS for the dashboard. Only the origin `app.<base>` may call api.<base> and superfriends from a
// browser; a preflight is answered here, before route lookup and authentication, so it never wakes anybody.

import type { MiddlewareHandler } from 'hono'
import type { EdgeEnv } from '../context.ts'

// PUT: agent secrets are set with PUT /v1/agents/:id/secrets/:name.
export const CORS_ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS'
export const CORS_ALLOW_HEADERS = 'authorization, content-type, x-myintell-tenant, last-event-id'
/** What the dashboard reads from responses: the cold start, the request id for support, and back-off hints. */
export const CORS_EXPOSE_HEADERS = 'x-myintell-cold-start, x-request-id, retry-after'
/** Browsers cache a preflight this long (seconds): one per endpoint per 10 minutes, not one per request. */
export const CORS_MAX_AGE_S = 600

/** The dashboard's origin, if `origin` is it (any port, http or https): `http://app.localhost:8787`. */
export function dashboardOrigin(origin: string | undefined, baseDomain: string): string | null {
  if (!origin) return null
  try {
    const url = new URL(origin)
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.hostname === `app.${baseDomain}` && url.origin === origin) return origin
  } catch { /* not a URL: not our origin */ }
  return null
}

export const cors = (): MiddlewareHandler<EdgeEnv> =>
  async function cors(c, next) {
    const kind = c.get('host').kind
    const origin = kind === 'api' || kind === 'agent' ? dashboardOrigin(c.req.header('origin'), c.get('config').baseDomain) : null
    if (!origin) return next()
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      return c.body(null, 204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': CORS_ALLOW_METHODS,
        'access-control-allow-headers': CORS_ALLOW_HEADERS,
        'access-control-max-age': String(CORS_MAX_AGE_S),
        vary: 'Origin',
      })
    }
    await next()
    if (c.res.status === 101) return // a WebSocket handshake: its headers are fixed, and CORS does not apply
    const response = new Response(c.res.body, c.res) // responses from fetch() have immutable headers
    response.headers.set('access-control-allow-origin', origin)
    response.headers.set('access-control-expose-headers', CORS_EXPOSE_HEADERS)
    response.headers.append('vary', 'Origin')
    c.res = undefined
    c.res = response
  }
