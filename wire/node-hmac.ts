// The edge signature's HMAC-SHA256 computed synchronously with node:crypto: Node servers and the edge Worker
// (workerd, under nodejs_compat) use it. Kept apart from wire/signature.ts, which stays WebCrypto-only.

import { createHmac } from 'node:crypto'
import type { SigningKey } from './signature.ts'

/**
 * The same bytes as wire/signature.ts's WebCrypto path, as lowercase hex (checked in Node by
 * cluster-api/src/internal/edge-signature.test.ts and in workerd by edge/src/node-hmac.test.ts). WebCrypto's sign
 * is a promise per request (in Node a round trip through libuv's thread pool); this is a plain call.
 */
export function nodeHmac(secret: string): SigningKey {
  return (data) => createHmac('sha256', secret).update(data).digest('hex')
}
