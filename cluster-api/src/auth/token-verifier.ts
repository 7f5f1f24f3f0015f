// Verifies session JWTs against a JWKS with jose: Clerk's in production, the cluster-api's own locally.
// One code path for both; `alg: none`, HMAC algorithms, expired, forged or foreign tokens all fail.

import { createRemoteJWKSet, jwtVerify, errors } from 'jose'

/** Asymmetric algorithms only: an HMAC "JWT" signed with a public key must never verify. */
const ALLOWED_ALGORITHMS = ['ES256', 'RS256', 'EdDSA']
/** Clock skew tolerated on exp/nbf. */
const CLOCK_TOLERANCE_SECONDS = 5

export interface TokenVerifierOptions {
  /** Resolved lazily: the local JWKS URL is known only once the server listens. */
  jwksUrl: () => string
  issuer: string
  /** Unset: the audience is not checked (Clerk session tokens carry none by default). */
  audience?: string | undefined
}

export interface VerifiedToken {
  sub: string
  email: string | null
}

export type TokenVerifier = (token: string) => Promise<VerifiedToken | null>

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  let jwks: ReturnType<typeof createRemoteJWKSet> | null = null
  return async function verifyToken(token) {
    jwks ??= createRemoteJWKSet(new URL(options.jwksUrl()))
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        ...(options.audience ? { audience: options.audience } : {}),
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
      })
      if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 200) return null
      const email = typeof payload.email === 'string' ? payload.email : null
      return { sub: payload.sub, email }
    } catch (error) {
      // Every jose failure is "not authenticated"; anything else (JWKS unreachable) is ours to report.
      if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) return null
      throw error
    }
  }
}
