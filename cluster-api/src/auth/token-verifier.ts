// Verifies session JWTs against a JWKS with jose: Clerk's in production, the cluster-api's own locally.
// The rules (algorithms, required claims, lifetime, skew) are wire/session-jwt.ts's, the same the edge applies.

import { createRemoteJWKSet } from 'jose'
import { SessionKeysUnavailable, verifySessionJwt } from '../../../wire/session-jwt.ts'
import { ProblemError } from '../../../wire/problem.ts'

/** A client told to come back after this long finds a recovered JWKS (jose refetches on its own). */
const KEYS_UNAVAILABLE_RETRY_AFTER_S = 5

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
    let result
    try {
      result = await verifySessionJwt(token, jwks, { issuer: options.issuer, audience: options.audience })
    } catch (error) {
      // Not the caller's fault and not a verdict on the token: 503, so a client retries instead of signing out.
      if (error instanceof SessionKeysUnavailable) {
        throw new ProblemError({
          status: 503, code: 'identity-unavailable', title: 'Session tokens cannot be checked right now',
          headers: { 'retry-after': String(KEYS_UNAVAILABLE_RETRY_AFTER_S) },
          cause: error,
        })
      }
      throw error
    }
    if (!result.ok) return null
    const email = typeof result.claims.email === 'string' ? result.claims.email : null
    return { sub: result.subject, email }
  }
}
