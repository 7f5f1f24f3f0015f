// The edge signature (scheme v2): HMAC-SHA256 over timestamp, nonce, method, host, path, the body binding and
// the injected headers. One module, imported by every signer (the edge; a runtime reporting its own usage) and
// every verifier (the cluster-api, the local ingress, the agent runtime, agent-kit).
//
// Keys are derived from the platform's master secret (wire/node-hmac.ts): the edge's own key for the internal
// API, and one key per agent for its traffic. A runtime holds only its agent's key, so it can neither sign for
// another agent nor call the internal API as the edge.

import {
  AGENT_ID, EDGE_BODY, EDGE_NONCE, EDGE_SIGNATURE, EDGE_TIMESTAMP, FORWARDED_HOST, PRINCIPAL, PRINCIPAL_ACCESS,
  REQUEST_ID, TENANT_HOST, TENANT_ID,
} from './headers.ts'
import type { ReplayGuard } from './replay-guard.ts'

/** A signature older or newer than this is refused: bounds replay and clock skew. */
export const MAX_SIGNATURE_AGE_MS = 60_000

/** The injected headers covered by the signature, in signing order. */
export const SIGNED_HEADERS = [TENANT_HOST, TENANT_ID, AGENT_ID, PRINCIPAL, PRINCIPAL_ACCESS, REQUEST_ID] as const

const SCHEME = 'v2'
/** A secret shorter than this is refused at start-up, not at the first request. */
export const MIN_SECRET_LENGTH = 32
const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/
const DIGEST_PATTERN = /^sha256=[A-Za-z0-9_-]{43}$/

/**
 * How a signature binds the request body:
 * - `none`: the request has no body (a verifier refuses one that has);
 * - `digest`: the SHA-256 of the whole body, `sha256=<base64url>` (a verifier hashes what it received);
 * - `stream`: a body the signer streamed without reading it first (larger than it buffers); it is bound by the
 *   single-use nonce and the transport, not by content.
 */
export type BodyBinding = { kind: 'none' } | { kind: 'digest'; digest: string } | { kind: 'stream' }

export const NO_BODY: BodyBinding = { kind: 'none' }
export const STREAMED_BODY: BodyBinding = { kind: 'stream' }

export interface SignTarget {
  method: string
  /** The public host the client asked for (`ada.myintell.ai`); sent as X-Forwarded-Host. */
  host: string
  /** Path and query exactly as forwarded: `/v1/chat?x=1`. */
  path: string
  /** Default: no body. */
  body?: BodyBinding
}

/**
 * A secret, or a function computing HMAC-SHA256 under it as lowercase hex. The string form uses WebCrypto
 * (workerd, browsers, Node); Node servers and the edge pass the synchronous `node:crypto` HMAC of
 * wire/node-hmac.ts instead, which skips WebCrypto's per-sign promise (in Node, a thread-pool round trip).
 */
export type SigningKey = string | ((data: string) => string | Promise<string>)

export type VerifyFailure = 'missing' | 'malformed' | 'stale' | 'bad-signature' | 'replayed'
export interface Verified {
  ok: true
  tenantHost: string | null
  tenantId: string | null
  agentId: string | null
  principal: string | null
  principalAccess: string | null
  requestId: string | null
  nonce: string
  /** What the verifier must still check against the body it reads (see bodyMatches). */
  body: BodyBinding
}
export type VerifyResult = Verified | { ok: false; reason: VerifyFailure }

export interface VerifyOptions {
  /** Default Date.now(). */
  now?: number
  /** Refuses a nonce seen before within the window. Verifiers that serve traffic always pass one. */
  replay?: ReplayGuard
}

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

export function assertSigningSecret(secret: string | undefined, name = 'EDGE_SIGNING_SECRET'): asserts secret is string {
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`${name} must be set to at least ${MIN_SECRET_LENGTH} characters`)
  }
}

function bindingText(body: BodyBinding): string {
  return body.kind === 'digest' ? body.digest : body.kind
}

function parseBinding(raw: string | null): BodyBinding | null {
  if (raw === 'none') return NO_BODY
  if (raw === 'stream') return STREAMED_BODY
  if (raw !== null && DIGEST_PATTERN.test(raw)) return { kind: 'digest', digest: raw }
  return null
}

/** The exact bytes that are signed. Newlines cannot occur inside header values, so fields cannot be shifted. */
export function canonicalString(timestamp: string, nonce: string, target: SignTarget, headers: Headers): string {
  const lines = [
    SCHEME, timestamp, nonce, target.method.toUpperCase(), target.host.toLowerCase(), target.path, bindingText(target.body ?? NO_BODY),
  ]
  for (const name of SIGNED_HEADERS) lines.push(`${name}:${headers.get(name) ?? ''}`)
  return lines.join('\n')
}

function toHex(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer)
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** A fresh nonce: 16 random bytes, base64url. */
export function newNonce(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)))
}

/** `sha256=<base64url>` of `body`, with WebCrypto (wire/node-hmac.ts has a synchronous node:crypto twin). */
export async function bodyDigest(body: Uint8Array | ArrayBuffer): Promise<string> {
  const bytes = body instanceof Uint8Array ? body : new Uint8Array(body)
  return `sha256=${base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)))}`
}

async function computeSignature(key: SigningKey, timestamp: string, nonce: string, target: SignTarget, headers: Headers): Promise<string> {
  const data = canonicalString(timestamp, nonce, target, headers)
  if (typeof key === 'function') return `${SCHEME}=${await key(data)}`
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(key), encoder.encode(data))
  return `${SCHEME}=${toHex(mac)}`
}

/**
 * Sets X-Forwarded-Host, X-Edge-Timestamp, X-Edge-Nonce, X-Edge-Body and X-Edge-Signature on `headers` (in place),
 * with a new nonce each call (a second attempt of the same request is signed anew). The injected headers
 * (X-Tenant-Host, X-Tenant-Id, …) must already be set.
 */
export async function signHeaders(headers: Headers, target: SignTarget, key: SigningKey, now = Date.now(), nonce = newNonce()): Promise<void> {
  const timestamp = String(now)
  headers.set(FORWARDED_HOST, target.host.toLowerCase())
  headers.set(EDGE_TIMESTAMP, timestamp)
  headers.set(EDGE_NONCE, nonce)
  headers.set(EDGE_BODY, bindingText(target.body ?? NO_BODY))
  headers.set(EDGE_SIGNATURE, await computeSignature(key, timestamp, nonce, target, headers))
}

/** Constant-time comparison of two strings of hex signature text. */
export function timingSafeEqual(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length)
  let diff = a.length ^ b.length
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0)
  return diff === 0
}

/**
 * Verifies a request signed by `signHeaders`: fresh, correctly signed, and (with `replay`) a nonce not seen before.
 * `path` is the path and query the verifier received; the host is read from X-Forwarded-Host, which the signature
 * covers. The body is not read here: check it with `bodyMatches` against the result's `body`.
 */
export async function verifyHeaders(method: string, path: string, headers: Headers, key: SigningKey, options: VerifyOptions = {}): Promise<VerifyResult> {
  const now = options.now ?? Date.now()
  const timestamp = headers.get(EDGE_TIMESTAMP)
  const signature = headers.get(EDGE_SIGNATURE)
  const host = headers.get(FORWARDED_HOST)
  const nonce = headers.get(EDGE_NONCE)
  const rawBody = headers.get(EDGE_BODY)
  if (!timestamp || !signature || !host || !nonce || rawBody === null) return { ok: false, reason: 'missing' }
  const body = parseBinding(rawBody)
  if (!/^\d{1,16}$/.test(timestamp) || !signature.startsWith(`${SCHEME}=`) || !NONCE_PATTERN.test(nonce) || !body) {
    return { ok: false, reason: 'malformed' }
  }
  const signedAt = Number(timestamp)
  if (Math.abs(now - signedAt) > MAX_SIGNATURE_AGE_MS) return { ok: false, reason: 'stale' }
  const expected = await computeSignature(key, timestamp, nonce, { method, host, path, body }, headers)
  if (!timingSafeEqual(expected, signature)) return { ok: false, reason: 'bad-signature' }
  // Only a correctly signed nonce is remembered: nobody without the key can fill the guard.
  if (options.replay && !options.replay.claim(nonce, signedAt, now)) return { ok: false, reason: 'replayed' }
  return {
    ok: true,
    tenantHost: headers.get(TENANT_HOST),
    tenantId: headers.get(TENANT_ID),
    agentId: headers.get(AGENT_ID),
    principal: headers.get(PRINCIPAL),
    principalAccess: headers.get(PRINCIPAL_ACCESS),
    requestId: headers.get(REQUEST_ID),
    nonce,
    body,
  }
}

/**
 * Whether the body a verifier read is the one the signature binds: none for `none` (empty counts as none), the
 * same digest for `digest`, anything for `stream` (bound by the nonce). `digest` is the verifier's own hash.
 */
export function bodyMatches(binding: BodyBinding, received: { length: number; digest: () => string | Promise<string> }): boolean | Promise<boolean> {
  if (binding.kind === 'stream') return true
  if (binding.kind === 'none') return received.length === 0
  const expected = binding.digest
  const actual = received.digest()
  return typeof actual === 'string' ? timingSafeEqual(actual, expected) : actual.then((value) => timingSafeEqual(value, expected))
}

/** Convenience for Fetch-API servers: verifies a whole Request's headers (the body stays unread). */
export function verifyRequest(request: Request, key: SigningKey, options: VerifyOptions = {}): Promise<VerifyResult> {
  const url = new URL(request.url)
  return verifyHeaders(request.method, url.pathname + url.search, request.headers, key, options)
}
