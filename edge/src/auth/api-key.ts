// `mi_…` API keys, verified by the cluster-api and cached in the isolate by their SHA-256 (never the key).
// A verified key is re-verified in the background once it is a few seconds old, so a revocation reaches every
// isolate within seconds while no request waits for the re-check.

import type { KeyVerification } from '../../../wire/internal-api.ts'
import type { InternalClient } from '../cluster/internal-client.ts'
import { RefreshingCache } from '../ttl-cache.ts'

/** A verified key is re-verified after this long; a revoked key stops working within it (plus one check). */
export const KEY_FRESH_MS = 10_000
/** A key not re-verified for this long (no traffic, or the cluster-api unreachable) is checked before use. */
export const KEY_MAX_AGE_MS = 60_000
/** A wrong key is re-checked after this long: bounds the lookups a key-guessing client can cause. */
export const BAD_KEY_CACHE_TTL_MS = 5_000
const MAX_CACHED_KEYS = 10_000

const verified = new RefreshingCache<string, KeyVerification | null>(MAX_CACHED_KEYS, {
  freshMs: (result) => (result ? KEY_FRESH_MS : BAD_KEY_CACHE_TTL_MS),
  staleMs: (result) => (result ? KEY_MAX_AGE_MS - KEY_FRESH_MS : 0),
})

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** `background` keeps a re-verification alive past the request that started it (ctx.waitUntil). */
export async function verifyApiKey(
  key: string, client: InternalClient, background: (refresh: Promise<unknown>) => void, requestId?: string,
): Promise<KeyVerification | null> {
  return verified.get(await sha256Hex(key), () => client.verifyKey(key, requestId), background)
}
