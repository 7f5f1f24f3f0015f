// The edge's signing key: HMAC-SHA256 under EDGE_SIGNING_SECRET, computed synchronously with node:crypto
// (nodejs_compat in wrangler.toml). WebCrypto's sign is a promise per request; this costs less CPU per sign.

import { createHmac } from 'node:crypto'
import type { SigningKey } from '../../wire/signature.ts'

/** The same bytes as wire/signature.ts's WebCrypto path (signing-key.test.ts checks), as lowercase hex. */
export function edgeSigningKey(secret: string): SigningKey {
  return (data) => createHmac('sha256', secret).update(data).digest('hex')
}
