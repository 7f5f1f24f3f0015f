// Middleware: refuses an internal request without a valid, fresh, first-time signature whose body binding holds
// (wire/signature.ts). The host component is X-Forwarded-Host, which the signer sets and the signature covers.

import type { MiddlewareHandler } from 'hono'
import { nodeBodyDigest } from '../../../wire/node-hmac.ts'
import { ReplayGuard } from '../../../wire/replay-guard.ts'
import { bodyMatches, verifyRequest, type SigningKey, type Verified } from '../../../wire/signature.ts'
import { ProblemError } from '../../../wire/problem.ts'

export interface EdgeSignatureOptions {
  /**
   * The key that must have signed the request, chosen from its path: the edge's own key for the internal API, an
   * agent's key (from the agent id in the path) for a runtime's own reports. null: no such signer, refused.
   */
  keyFor: (path: string) => SigningKey | null
  /** Lets a request through on another credential (KEDA's bearer token on the scaling endpoint). */
  alternative?: (authorization: string | undefined, path: string) => boolean
  /** Default: a guard of this middleware's own. */
  replay?: ReplayGuard
}

export type EdgeVerified = Verified

function refused(reason: string): ProblemError {
  return new ProblemError({
    status: 401, code: 'invalid-edge-signature', title: 'Request is not signed by the edge',
    detail: `signature ${reason}`,
    extensions: { reason },
  })
}

export const edgeSignature = (options: EdgeSignatureOptions): MiddlewareHandler<{ Variables: { edge: EdgeVerified | null } }> => {
  const replay = options.replay ?? new ReplayGuard()
  return async function edgeSignature(c, next) {
    if (options.alternative?.(c.req.header('authorization'), new URL(c.req.url).pathname)) {
      c.set('edge', null)
      return next()
    }
    const key = options.keyFor(new URL(c.req.url).pathname)
    if (key === null) throw refused('bad-signature')
    const result = await verifyRequest(c.req.raw, key, { replay })
    if (!result.ok) throw refused(result.reason)
    if (result.body.kind !== 'stream') {
      // Hono keeps the bytes read here for the handler's own c.req.json().
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      if (!(await bodyMatches(result.body, { length: bytes.length, digest: () => nodeBodyDigest(bytes) }))) throw refused('body-mismatch')
    }
    c.set('edge', result)
    await next()
  }
}
