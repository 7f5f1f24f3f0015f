// `mi_…` API keys, verified by the cluster-api and cached in the isolate by their SHA-256 (never the key).
// A verified key is re-verified in the background once it is a few seconds old, so a revocation reaches every
// isolate within seconds while no request waits for the re-check.

import type { KeyVerification } from '../../../wire/internal-api.ts'
import type { InternalClient } from '../cluster/internal-client.ts'
import { RefreshingCache } from '../ttl-cache.ts'
import { BAD_KEY_CACHE_TTL_MS, KEY_FRESH_MS, KEY_MAX_AGE_MS } from '../budgets.ts'

const MAX_CACHED_KEYS = 10_000
/** The longest key the cluster-api will look at (its verify body schema). */
const MAX_KEY_LENGTH = 200

const verified = new RefreshingCache<string, KeyVerification | null>('API key verification', MAX_CACHED_KEYS, {
  freshMs: (result) => (result ? KEY_FRESH_MS : BAD_KEY_CACHE_TTL_MS),
  maxAgeMs: (result) => (result ? KEY_MAX_AGE_MS : BAD_KEY_CACHE_TTL_MS),
})

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** `background` keeps a re-verification alive past the request that started it (ctx.waitUntil). */
export async function verifyApiKey(
  key: string, client: InternalClient, background: (refresh: Promise<unknown>) => void, requestId?: string,
): Promise<KeyVerification | null> {
  // The cluster-api refuses longer ones as malformed (422); no key of ours is that long.
  if (key.length > MAX_KEY_LENGTH) return null
  return verified.get(await sha256Hex(key), () => client.verifyKey(key, requestId), background)
}
