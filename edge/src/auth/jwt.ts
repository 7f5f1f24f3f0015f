// Clerk-style session JWTs, verified with jose against the issuer's JWKS. The key set is fetched once per
// isolate and refreshed by jose on an unknown `kid`.

import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose'
import type { EdgeConfig } from '../config.ts'

const keySets = new Map<string, JWTVerifyGetKey>()

function keySet(url: URL): JWTVerifyGetKey {
  let set = keySets.get(url.href)
  if (!set) {
    set = createRemoteJWKSet(url)
    keySets.set(url.href, set)
  }
  return set
}

/** The JWT's subject (the user id), or null when the token does not verify. */
export async function verifySessionToken(token: string, auth: EdgeConfig['auth']): Promise<string | null> {
  if (!auth.jwksUrl) return null
  try {
    const { payload } = await jwtVerify(token, keySet(auth.jwksUrl), {
      ...(auth.issuer ? { issuer: auth.issuer } : {}),
      ...(auth.audience ? { audience: auth.audience } : {}),
    })
    return typeof payload.sub === 'string' && payload.sub ? payload.sub : null
  } catch {
    return null
  }
}
