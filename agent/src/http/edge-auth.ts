// Edge-signature check for every public request: a valid, first-time signature under this agent's own key whose
// X-Tenant-Host is this agent's slug and whose body binding holds. Anything else is 401 and one log line (reason,
// method, path; never headers or secrets).
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import { nodeBodyDigest, nodeHmac } from '../../../wire/node-hmac.ts'
import { ReplayGuard } from '../../../wire/replay-guard.ts'
import { bodyMatches, verifyRequest, type SigningKey, type Verified, type VerifyFailure } from '../../../wire/signature.ts'
import { MAX_BODY_BYTES } from './read-json.ts'
import type { Logger } from '../log.ts'
import { ProblemError } from '../../../wire/problem.ts'

export type EdgeAuthFailure = VerifyFailure | 'wrong-tenant-host' | 'not-assigned' | 'body-mismatch' | 'body-too-large'

/** Who this runtime serves now: its slug and its own signing key (null while a warm-pool process is unassigned). */
export interface EdgeIdentity {
  slug: string
  signingKey: string
}

/**
 * Checks requests for one runtime: the key follows the assignment (a warm-pool process learns it on assign), and one
 * replay guard covers HTTP and WebSocket upgrades alike.
 */
export class EdgeVerifier {
  readonly #identity: () => EdgeIdentity | null
  readonly #replay = new ReplayGuard()
  #key: { secret: string; key: SigningKey } | null = null

  constructor(identity: () => EdgeIdentity | null) {
    this.#identity = identity
  }

  #keyFor(secret: string): SigningKey {
    if (this.#key?.secret !== secret) this.#key = { secret, key: nodeHmac(secret) }
    return this.#key.key
  }

  /**
   * Verifies `req`. A body bound by digest is read (at most MAX_BODY_BYTES) and checked; the bytes come back so the
   * handler can read them again. An upgrade (`upgrade: true`) must carry no body.
   */
  async check(req: Request): Promise<{ ok: true; verified: Verified; body: Uint8Array | null } | { ok: false; reason: EdgeAuthFailure }> {
    const identity = this.#identity()
    if (identity === null) return { ok: false, reason: 'not-assigned' }
    const result = await verifyRequest(req, this.#keyFor(identity.signingKey), { replay: this.#replay })
    if (!result.ok) return { ok: false, reason: result.reason }
    if (result.tenantHost !== identity.slug) return { ok: false, reason: 'wrong-tenant-host' }
    if (result.body.kind === 'stream') return { ok: true, verified: result, body: null }
    if (result.body.kind === 'none') {
      const declared = Number(req.headers.get('content-length') ?? '0')
      const chunked = req.headers.has('transfer-encoding')
      return declared > 0 || chunked ? { ok: false, reason: 'body-mismatch' } : { ok: true, verified: result, body: null }
    }
    if (Number(req.headers.get('content-length') ?? '0') > MAX_BODY_BYTES) return { ok: false, reason: 'body-too-large' }
    const bytes = new Uint8Array(await req.arrayBuffer())
    if (bytes.length > MAX_BODY_BYTES) return { ok: false, reason: 'body-too-large' }
    if (!(await bodyMatches(result.body, { length: bytes.length, digest: () => nodeBodyDigest(bytes) }))) return { ok: false, reason: 'body-mismatch' }
    return { ok: true, verified: result, body: bytes }
  }
}

export function edgeAuthError(reason?: EdgeAuthFailure): ProblemError {
  if (reason === 'body-too-large') return new ProblemError({
    status: 413, code: 'body-too-large', title: 'Request body too large',
    detail: `The body must be at most ${MAX_BODY_BYTES} bytes.`,
  })
  return new ProblemError({
    status: 401, code: 'invalid-edge-signature', title: 'Unauthorized',
    detail: 'This request did not come through the myintell edge for this superfriend.',
  })
}

export const edgeAuth = (opts: { verifier: EdgeVerifier; log: Logger }): MiddlewareHandler<AppEnv> => async function edgeAuth(c, next) {
  const check = await opts.verifier.check(c.req.raw)
  if (!check.ok) {
    opts.log.warn({ event: 'edge-auth-refused', reason: check.reason, method: c.req.method, path: c.req.path }, 'request refused: edge signature')
    throw edgeAuthError(check.reason)
  }
  // The verifier read the body to check its digest: the handler reads the same bytes.
  if (check.body) c.req.raw = new Request(c.req.raw, { body: check.body as Uint8Array<ArrayBuffer> })
  c.set('principal', check.verified.principal)
  const access = check.verified.principalAccess
  c.set('principalAccess', access === 'member' || access === 'guest' ? access : null)
  c.set('requestId', check.verified.requestId)
  await next()
}
