// `mi_…` API keys, verified by the cluster-api and cached in the isolate by their SHA-256 (never the key).

import type { KeyVerification } from '../../../wire/internal-api.ts'
import type { InternalClient } from '../cluster/internal-client.ts'
import { SingleFlight, TtlCache } from '../ttl-cache.ts'

/** A revoked key keeps working at most this long in an isolate that has seen it. */
export const KEY_CACHE_TTL_MS = 30_000
/** A wrong key is re-checked after this long: bounds the lookups a key-guessing client can cause. */
export const BAD_KEY_CACHE_TTL_MS = 5_000
const MAX_CACHED_KEYS = 10_000

const verified = new TtlCache<string, KeyVerification | null>(MAX_CACHED_KEYS)
const lookups = new SingleFlight<string, KeyVerification | null>()

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export async function verifyApiKey(key: string, client: InternalClient, requestId?: string): Promise<KeyVerification | null> {
  const hash = await sha256Hex(key)
  const cached = verified.get(hash)
  if (cached !== undefined) return cached
  return lookups.run(hash, async () => {
    const result = await client.verifyKey(key, requestId)
    verified.set(hash, result, result ? KEY_CACHE_TTL_MS : BAD_KEY_CACHE_TTL_MS)
    return result
  })
}
