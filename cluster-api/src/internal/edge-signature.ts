// Middleware: refuses any internal request without a valid, fresh edge signature (wire/signature.ts).
// The host component is X-Forwarded-Host, which the signer sets and the signature covers.

import type { MiddlewareHandler } from 'hono'
import { nodeHmac } from '../../../wire/node-hmac.ts'
import { verifyRequest, type VerifyResult } from '../../../wire/signature.ts'
import { ApiError } from '../http/problems.ts'

export interface EdgeSignatureOptions {
  secret: string
  /** Lets a request through on another credential (KEDA's bearer token on the scaling endpoint). */
  alternative?: (authorization: string | undefined, path: string) => boolean
}

export type EdgeVerified = Extract<VerifyResult, { ok: true }>

export const edgeSignature = (options: EdgeSignatureOptions): MiddlewareHandler<{ Variables: { edge: EdgeVerified | null } }> => {
  const key = nodeHmac(options.secret)
  return async function edgeSignature(c, next) {
    if (options.alternative?.(c.req.header('authorization'), new URL(c.req.url).pathname)) {
      c.set('edge', null)
      return next()
    }
    const result = await verifyRequest(c.req.raw, key)
    if (!result.ok) {
      throw new ApiError(401, 'invalid-edge-signature', 'Request is not signed by the edge', {
        detail: `signature ${result.reason}`, extra: { reason: result.reason },
      })
    }
    c.set('edge', result)
    await next()
  }
}
