// The edge signature: HMAC-SHA256 over timestamp, method, host, path and the injected headers.
// One module, imported by the edge (signs), the cluster-api and the agent runtime (verify).

import {
  AGENT_ID, EDGE_SIGNATURE, EDGE_TIMESTAMP, FORWARDED_HOST, PRINCIPAL, REQUEST_ID, TENANT_HOST, TENANT_ID,
} from './headers.ts'

/** A signature older or newer than this is refused: bounds replay and clock skew. */
export const MAX_SIGNATURE_AGE_MS = 60_000

/** The injected headers covered by the signature, in signing order. */
export const SIGNED_HEADERS = [TENANT_HOST, TENANT_ID, AGENT_ID, PRINCIPAL, REQUEST_ID] as const

const SCHEME = 'v1'
/** A secret shorter than this is refused at start-up, not at the first request. */
export const MIN_SECRET_LENGTH = 32

export interface SignTarget {
  method: string
  /** The public host the client asked for (`ada.myintell.ai`); sent as X-Forwarded-Host. */
  host: string
  /** Path and query exactly as forwarded: `/v1/chat?x=1`. */
  path: string
}

/**
 * The shared secret, or a function computing HMAC-SHA256 under it as lowercase hex. The string form uses
 * WebCrypto (workerd, browsers, Node); the cluster-api and the edge pass the synchronous `node:crypto` HMAC of
 * wire/node-hmac.ts instead, which skips WebCrypto's per-sign promise (in Node, a thread-pool round trip).
 */
export type SigningKey = string | ((data: string) => string | Promise<string>)

export type VerifyFailure = 'missing' | 'malformed' | 'stale' | 'bad-signature'
export type VerifyResult =
  | { ok: true; tenantHost: string | null; tenantId: string | null; agentId: string | null; principal: string | null; requestId: string | null }
  | { ok: false; reason: VerifyFailure }

const encoder = new TextEncoder()
const keyCache = new Map<string, Promise<CryptoKey>>()

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    keyCache.set(secret, key)
  }
  return key
}

export function assertSigningSecret(secret: string | undefined): asserts secret is string {
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`EDGE_SIGNING_SECRET must be set to at least ${MIN_SECRET_LENGTH} characters`)
  }
}

/** The exact bytes that are signed. Newlines cannot occur inside header values, so fields cannot be shifted. */
export function canonicalString(timestamp: string, target: SignTarget, headers: Headers): string {
  const lines = [SCHEME, timestamp, target.method.toUpperCase(), target.host.toLowerCase(), target.path]
  for (const name of SIGNED_HEADERS) lines.push(`${name}:${headers.get(name) ?? ''}`)
  return lines.join('\n')
}

function toHex(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer)
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

async function computeSignature(secret: SigningKey, timestamp: string, target: SignTarget, headers: Headers): Promise<string> {
  const data = canonicalString(timestamp, target, headers)
  if (typeof secret === 'function') return `${SCHEME}=${await secret(data)}`
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(data))
  return `${SCHEME}=${toHex(mac)}`
}

/**
 * Sets X-Forwarded-Host, X-Edge-Timestamp and X-Edge-Signature on `headers` (in place).
 * The injected headers (X-Tenant-Host, X-Tenant-Id, …) must already be set.
 */
export async function signHeaders(headers: Headers, target: SignTarget, secret: SigningKey, now = Date.now()): Promise<void> {
  const timestamp = String(now)
  headers.set(FORWARDED_HOST, target.host.toLowerCase())
  headers.set(EDGE_TIMESTAMP, timestamp)
  headers.set(EDGE_SIGNATURE, await computeSignature(secret, timestamp, target, headers))
}

/** Constant-time comparison of two strings of hex signature text. */
export function timingSafeEqual(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length)
  let diff = a.length ^ b.length
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0)
  return diff === 0
}

/**
 * Verifies a request signed by `signHeaders`. `path` is the path and query the verifier received;
 * the host is read from X-Forwarded-Host, which the signature covers.
 */
export async function verifyHeaders(
  method: string, path: string, headers: Headers, secret: SigningKey, now = Date.now(),
): Promise<VerifyResult> {
  const timestamp = headers.get(EDGE_TIMESTAMP)
  const signature = headers.get(EDGE_SIGNATURE)
  const host = headers.get(FORWARDED_HOST)
  if (!timestamp || !signature || !host) return { ok: false, reason: 'missing' }
  if (!/^\d{1,16}$/.test(timestamp) || !signature.startsWith(`${SCHEME}=`)) return { ok: false, reason: 'malformed' }
  if (Math.abs(now - Number(timestamp)) > MAX_SIGNATURE_AGE_MS) return { ok: false, reason: 'stale' }
  const expected = await computeSignature(secret, timestamp, { method, host, path }, headers)
  if (!timingSafeEqual(expected, signature)) return { ok: false, reason: 'bad-signature' }
  return {
    ok: true,
    tenantHost: headers.get(TENANT_HOST),
    tenantId: headers.get(TENANT_ID),
    agentId: headers.get(AGENT_ID),
    principal: headers.get(PRINCIPAL),
    requestId: headers.get(REQUEST_ID),
  }
}

/** Convenience for Fetch-API servers: verifies a whole Request. */
export function verifyRequest(request: Request, secret: SigningKey, now = Date.now()): Promise<VerifyResult> {
  const url = new URL(request.url)
  return verifyHeaders(request.method, url.pathname + url.search, request.headers, secret, now)
}
