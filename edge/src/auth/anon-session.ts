// Anonymous sessions on public agents: a random id in an HttpOnly cookie, bound to one agent and an issue time by
// an HMAC only the edge can compute. The agent sees `X-Principal: anon:<id>` and keeps each such caller's
// conversations apart; the cookie itself never reaches it.

import { createHmac } from 'node:crypto'
import { anonSessionSecret } from '../../../wire/node-hmac.ts'
import { timingSafeEqual } from '../../../wire/signature.ts'

/** The cookie on plain http (local development). */
export const ANON_SESSION_COOKIE = 'mi_anon'
/**
 * The cookie on https. A `__Host-` cookie can only be set by the host itself (Secure, Path=/, no Domain), so no
 * other subdomain of the base domain (another tenant's superfriend) can plant its own session on a visitor.
 */
export const SECURE_ANON_SESSION_COOKIE = `__Host-${ANON_SESSION_COOKIE}`
/** A session lasts this long (seconds) after it was last renewed: a visitor who returns within it finds their conversations. */
export const ANON_SESSION_MAX_AGE_S = 30 * 24 * 3_600
/** A session in use is re-issued (same id, fresh time) once it is this old, so a regular visitor keeps it. */
export const ANON_SESSION_RENEW_AFTER_S = 24 * 3_600

/** A cookie may say it was issued this far ahead of the edge's clock (seconds): isolates' clocks differ a little. */
const CLOCK_SKEW_S = 300

/** HMAC-SHA256 under the session key, lowercase hex. */
export type AnonSessionKey = (data: string) => string

export interface AnonSession {
  /** 128 random bits as 32 hex digits: the `<id>` of `anon:<id>`. */
  id: string
  /** Unix seconds when the cookie was (re-)issued. */
  issuedAt: number
}

const ID_PATTERN = /^[0-9a-f]{32}$/
const MAC_PATTERN = /^[0-9a-f]{64}$/
const ISSUED_PATTERN = /^[0-9]{1,12}$/

export function anonSessionKey(master: string): AnonSessionKey {
  const secret = anonSessionSecret(master)
  return (data) => createHmac('sha256', secret).update(data).digest('hex')
}

export function anonSessionCookieName(secure: boolean): string {
  return secure ? SECURE_ANON_SESSION_COOKIE : ANON_SESSION_COOKIE
}

// The agent id is part of what is signed: a session issued by one superfriend is worth nothing at another.
const signed = (agentId: string, id: string, issuedAt: number) => `myintell/anon-session/v1\n${agentId}\n${id}\n${issuedAt}`

export function newAnonSession(nowS: number): AnonSession {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return { id: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''), issuedAt: nowS }
}

/** The cookie value: `<id>.<issuedAt>.<mac>`. */
export function encodeAnonSession(session: AnonSession, agentId: string, key: AnonSessionKey): string {
  return `${session.id}.${session.issuedAt}.${key(signed(agentId, session.id, session.issuedAt))}`
}

/** The session a cookie value holds, if it was issued by this edge for this agent and has not expired; else null. */
export function decodeAnonSession(value: string | null, agentId: string, key: AnonSessionKey, nowS: number): AnonSession | null {
  if (!value) return null
  const [id, issued, mac, ...rest] = value.split('.')
  if (rest.length > 0 || !id || !issued || !mac) return null
  if (!ID_PATTERN.test(id) || !ISSUED_PATTERN.test(issued) || !MAC_PATTERN.test(mac)) return null
  const issuedAt = Number(issued)
  if (!timingSafeEqual(key(signed(agentId, id, issuedAt)), mac)) return null
  // A cookie from the future (clock skew aside) was not issued as it claims; one past its age has ended.
  if (issuedAt > nowS + CLOCK_SKEW_S || nowS - issuedAt >= ANON_SESSION_MAX_AGE_S) return null
  return { id, issuedAt }
}

/** The Set-Cookie value: host-only (no Domain), HttpOnly, SameSite=Lax, Secure (and `__Host-`) on https. */
export function anonSessionSetCookie(session: AnonSession, agentId: string, key: AnonSessionKey, secure: boolean): string {
  const parts = [
    `${anonSessionCookieName(secure)}=${encodeAnonSession(session, agentId, key)}`,
    'Path=/', `Max-Age=${ANON_SESSION_MAX_AGE_S}`, 'HttpOnly', 'SameSite=Lax',
  ]
  if (secure) parts.push('Secure')
  return parts.join('; ')
}
