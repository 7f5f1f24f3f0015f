// The local issuer: with no external identity provider configured, the cluster-api mints its own
// ES256 session tokens (dev sign-in) and serves the public key at /.well-known/jwks.json.

import { randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose'
import { signingKeys } from '../db/schema/index.ts'
import type { Db } from '../db/types.ts'

/** Session tokens from dev sign-in live this long. */
export const LOCAL_TOKEN_TTL_SECONDS = 3600
export const LOCAL_ISSUER = 'myintell-local'
export const LOCAL_AUDIENCE = 'myintell'
const ALGORITHM = 'ES256'

export interface LocalIssuer {
  jwks(): { keys: JWK[] }
  mint(claims: { sub: string; email?: string | null }, options: { issuer: string; audience: string }): Promise<string>
}

/** Loads the key pair from the platform DB, creating it on first start (one row; concurrent starts agree). */
export async function createLocalIssuer(db: Db): Promise<LocalIssuer> {
  let [row] = await db.select().from(signingKeys).limit(1)
  if (!row) {
    const pair = await generateKeyPair(ALGORITHM, { extractable: true })
    const kid = randomBytes(8).toString('hex')
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: ALGORITHM, use: 'sig' }
    const privateJwk = { ...(await exportJWK(pair.privateKey)), kid, alg: ALGORITHM }
    await db.insert(signingKeys).values({ kid, publicJwk, privateJwk }).onConflictDoNothing()
    ;[row] = await db.select().from(signingKeys).limit(1)
  }
  const { kid, publicJwk, privateJwk } = row!
  const privateKey = await importJWK(privateJwk as JWK, ALGORITHM)
  return {
    jwks: () => ({ keys: [publicJwk as JWK] }),
    mint: (claims, options) => new SignJWT({ ...(claims.email ? { email: claims.email } : {}) })
      .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setIssuedAt()
      .setExpirationTime(`${LOCAL_TOKEN_TTL_SECONDS}s`)
      .sign(privateKey),
  }
}
