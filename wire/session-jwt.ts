// The one policy for session JWTs (Clerk's in production, the cluster-api's local issuer in development), applied
// by every verifier: the edge's authenticate stage and the cluster-api's /v1 authentication. What one accepts, the
// other accepts; a token only one of them takes would be a hole or a mystery.

import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'

/**
 * Asymmetric algorithms only, and only those our issuers use (Clerk RS256, the local issuer ES256, EdDSA for an
 * Ed25519 key): `none` never verifies, and an HMAC "JWT" keyed with a public key (the classic confusion) is refused.
 */
export const SESSION_JWT_ALGORITHMS: readonly string[] = ['RS256', 'ES256', 'EdDSA']
/** Clock skew tolerated on exp, nbf and iat between the issuer and us. */
export const SESSION_JWT_CLOCK_TOLERANCE_S = 5
/**
 * The longest a session token may live (exp − iat, and exp − now). Clerk's live 60 s, the local issuer's 1 h; a
 * token valid for longer is a mistake or a forgery with a stolen key, and we would rather refuse it than honour it
 * for years.
 */
export const SESSION_JWT_MAX_LIFETIME_S = 24 * 60 * 60
/** Longer tokens are refused before parsing: no issuer of ours mints one near this size. */
export const SESSION_JWT_MAX_LENGTH = 8_192
/**
 * The subject becomes a principal (`user:<sub>`) in signed headers and a row key: printable ASCII without spaces,
 * bounded. Clerk's `user_…`, the local `dev_…` and the usual IdP shapes (`auth0|…`, numeric ids) all fit.
 */
const SUBJECT_PATTERN = /^[\x21-\x7e]{1,200}$/

/** What the deployment configured; an unset field is not checked (Clerk session tokens carry no `aud`). */
export interface SessionJwtExpectations {
  issuer?: string | undefined
  audience?: string | undefined
}

export type SessionJwtResult =
  | { ok: true; subject: string; claims: JWTPayload }
  | { ok: false; reason: string }

/** The key set could not be read (JWKS down, slow or broken): nobody's token can be judged, so it is not a refusal. */
export class SessionKeysUnavailable extends Error {
  override readonly name = 'SessionKeysUnavailable'
}

/** jose failures that say nothing about the token: the JWKS endpoint timed out, answered non-200 or garbage. */
function isKeySetFailure(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === 'ERR_JOSE_GENERIC'
}

/**
 * Verifies `token` against `keys` (a jose key set: createRemoteJWKSet or createLocalJWKSet) under the policy above.
 * A token that breaks a rule is `{ ok: false }`; a key set that cannot be read throws SessionKeysUnavailable.
 */
export async function verifySessionJwt(
  token: string, keys: JWTVerifyGetKey, expected: SessionJwtExpectations, now: Date = new Date(),
): Promise<SessionJwtResult> {
  if (token.length > SESSION_JWT_MAX_LENGTH) return { ok: false, reason: 'token too long' }
  let claims: JWTPayload
  try {
    ;({ payload: claims } = await jwtVerify(token, keys, {
      algorithms: [...SESSION_JWT_ALGORITHMS],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: SESSION_JWT_CLOCK_TOLERANCE_S,
      currentDate: now,
      ...(expected.issuer ? { issuer: expected.issuer } : {}),
      ...(expected.audience ? { audience: expected.audience } : {}),
    }))
  } catch (error) {
    if (isKeySetFailure(error)) throw new SessionKeysUnavailable('the session key set could not be read', { cause: error })
    return { ok: false, reason: (error as Error).message }
  }
  const sub = claims.sub
  if (typeof sub !== 'string' || !SUBJECT_PATTERN.test(sub)) return { ok: false, reason: 'sub is not a plain identifier' }
  // jose has checked exp (required) and iat (when present) are numbers.
  const exp = claims.exp!
  const nowS = Math.floor(now.getTime() / 1000)
  if (exp - nowS > SESSION_JWT_MAX_LIFETIME_S + SESSION_JWT_CLOCK_TOLERANCE_S) return { ok: false, reason: 'exp is too far ahead' }
  if (claims.iat !== undefined) {
    if (claims.iat > nowS + SESSION_JWT_CLOCK_TOLERANCE_S) return { ok: false, reason: 'iat is in the future' }
    if (exp - claims.iat > SESSION_JWT_MAX_LIFETIME_S) return { ok: false, reason: 'lifetime (exp - iat) is too long' }
  }
  return { ok: true, subject: sub, claims }
}
