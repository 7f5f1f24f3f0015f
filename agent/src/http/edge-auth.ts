// Edge-signature check for every public request: a valid signature whose X-Tenant-Host is this agent's slug.
// Anything else is 401 and one log line (reason, method, path; never headers or secrets).
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import { verifyRequest } from '../../../wire/signature.ts'
import type { VerifyResult } from '../../../wire/signature.ts'
import { HttpError } from './errors.ts'
import type { Logger } from '../log.ts'

export type EdgeAuthFailure = 'missing' | 'malformed' | 'stale' | 'bad-signature' | 'replayed' | 'wrong-tenant-host' | 'not-assigned'

/** Verifies a request and checks its tenant host; shared by the HTTP middleware and the WebSocket upgrade. */
export async function checkEdgeRequest(
  req: Request, secret: string, slug: string | null,
): Promise<{ ok: true; verified: Extract<VerifyResult, { ok: true }> } | { ok: false; reason: EdgeAuthFailure }> {
  const result = await verifyRequest(req, secret)
  if (!result.ok) return { ok: false, reason: result.reason }
  if (slug === null) return { ok: false, reason: 'not-assigned' }
  if (result.tenantHost !== slug) return { ok: false, reason: 'wrong-tenant-host' }
  return { ok: true, verified: result }
}

export function edgeAuthError(): HttpError {
  return new HttpError(401, 'invalid-edge-signature', 'Unauthorized', 'This request did not come through the myintell edge for this superfriend.')
}

export const edgeAuth = (opts: { secret: string; slug: () => string | null; log: Logger }): MiddlewareHandler<AppEnv> => async function edgeAuth(c, next) {
  const check = await checkEdgeRequest(c.req.raw, opts.secret, opts.slug())
  if (!check.ok) {
    opts.log.warn({ event: 'edge-auth-refused', reason: check.reason, method: c.req.method, path: c.req.path }, 'request refused: edge signature')
    throw edgeAuthError()
  }
  c.set('principal', check.verified.principal)
  const access = check.verified.principalAccess
  c.set('principalAccess', access === 'member' || access === 'guest' ? access : null)
  c.set('requestId', check.verified.requestId)
  await next()
}
