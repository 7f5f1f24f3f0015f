// Clerk-style session JWTs, verified with jose against the issuer's JWKS under the shared policy in
// wire/session-jwt.ts (the cluster-api applies the same). The key set is fetched once per isolate and refreshed by
// jose on an unknown `kid`.

import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose'
import { SessionKeysUnavailable, verifySessionJwt } from '../../../wire/session-jwt.ts'
import type { EdgeConfig } from '../config.ts'
import { identityUnavailable } from '../problems.ts'

const keySets = new Map<string, JWTVerifyGetKey>()

function keySet(url: URL): JWTVerifyGetKey {
  let set = keySets.get(url.href)
  if (!set) {
    set = createRemoteJWKSet(url)
    keySets.set(url.href, set)
  }
  return set
}

/**
 * The JWT's subject (the user id), or null when the token breaks the policy. A key set that cannot be read is no
 * verdict on the token: that throws a 503 (identityUnavailable), so a client retries instead of signing out.
 */
export async function verifySessionToken(token: string, auth: EdgeConfig['auth']): Promise<string | null> {
  if (!auth.jwksUrl) return null
  try {
    const result = await verifySessionJwt(token, keySet(auth.jwksUrl), { issuer: auth.issuer, audience: auth.audience })
    return result.ok ? result.subject : null
  } catch (error) {
    if (error instanceof SessionKeysUnavailable) throw identityUnavailable(error)
    throw error
  }
}
