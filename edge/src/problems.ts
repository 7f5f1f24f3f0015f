// The edge's error responses: a status, a stable code and a short safe message. Never a stack or a hostname.

import { problem, problemResponse } from '../../wire/problem.ts'

/**
 * What a 502, 503 or 504 tells the client when its thrower named no time of its own: every one of them is a "not
 * now" (the platform, an origin or a dependency is away), and a client without Retry-After either gives up or
 * retries at once in a loop. A few seconds covers a restart of the cluster-api or an agent.
 */
export const DEFAULT_RETRY_AFTER_S = 5
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504])

/** Thrown by a pipeline stage; the app's onError turns it into problem+json. */
export class EdgeError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly headers: Record<string, string>
  /** Safe for the client: a `detail` sentence and extension members of the problem. */
  readonly detail: string | undefined
  readonly extra: Record<string, unknown>
  constructor(
    status: number, code: string, title: string, headers: Record<string, string> = {}, cause?: unknown,
    body: { detail?: string; extra?: Record<string, unknown> } = {},
  ) {
    super(`${code}: ${title}`, cause === undefined ? undefined : { cause })
    this.status = status
    this.code = code
    this.title = title
    this.headers = RETRYABLE_STATUSES.has(status) && !Object.keys(headers).some((name) => name.toLowerCase() === 'retry-after')
      ? { ...headers, 'retry-after': String(DEFAULT_RETRY_AFTER_S) }
      : headers
    this.detail = body.detail
    this.extra = body.extra ?? {}
  }
}

export function errorResponse(error: EdgeError, requestId?: string): Response {
  const extra = requestId ? { ...error.extra, requestId } : error.extra
  return problemResponse(problem(error.status, error.code, error.title, error.detail, extra), error.headers)
}

export const unknownHost = () => new EdgeError(404, 'unknown-host', 'No such host')
/** api.<base> serves the public /v1 API only; the internal API and anything else behind it stay unreachable. */
export const notPublicApi = () => new EdgeError(404, 'not-found', 'No such API endpoint')
export const unknownAgent = () => new EdgeError(404, 'unknown-agent', 'No superfriend lives at this address')
export const unauthenticated = () =>
  new EdgeError(401, 'unauthenticated', 'Sign in or send an API key', { 'www-authenticate': 'Bearer' })
export const badCredentials = () =>
  new EdgeError(401, 'invalid-credentials', 'The session or API key is not valid', { 'www-authenticate': 'Bearer error="invalid_token"' })
export const forbidden = () => new EdgeError(403, 'forbidden', 'This superfriend belongs to another account')
/** An unsafe request or a WebSocket authenticated by a cookie, sent from a page of another site (CSRF, CSWSH). */
export const originNotAllowed = () =>
  new EdgeError(403, 'origin-not-allowed', 'This request must come from the superfriend\'s own site or the dashboard', {}, undefined,
    { detail: 'A cookie-authenticated request that changes something, or opens a WebSocket, must carry the Origin of this superfriend or of the dashboard; other clients send a Bearer token' })
/** Two Host headers, a list of hosts, or one that is not the request's own. */
export const badHost = () => new EdgeError(400, 'bad-host', 'The request must name exactly one host')
export const headersTooLarge = (maxBytes: number) =>
  new EdgeError(431, 'headers-too-large', 'Request header fields too large', {}, undefined,
    { detail: `The request's header fields must total at most ${maxBytes} bytes`, extra: { maxBytes } })
export const targetTooLong = (maxBytes: number) =>
  new EdgeError(414, 'uri-too-long', 'Request URI too long', {}, undefined,
    { detail: `The request's path and query must be at most ${maxBytes} bytes`, extra: { maxBytes } })
/** The platform accepted the call but did not begin to answer within the edge's bound. */
export const upstreamTimeout = (retryAfterSeconds: number) =>
  new EdgeError(504, 'upstream-timeout', 'The platform did not answer in time', { 'retry-after': String(retryAfterSeconds) }, undefined,
    { detail: `Retry after ${retryAfterSeconds} s` })
/** Same code and wording as the cluster-api's /v1 answer to a key without the scope an operation needs. */
export const insufficientScope = (scope: string) =>
  new EdgeError(403, 'insufficient-scope', `This API key lacks the "${scope}" scope`,
    { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` }, undefined,
    { detail: `Talking to a superfriend needs an API key with the "${scope}" scope`, extra: { requiredScope: scope } })
export const rateLimited = (retryAfterSeconds: number) =>
  new EdgeError(429, 'rate-limited', 'Too many requests', { 'retry-after': String(retryAfterSeconds) }, undefined,
    { detail: `Retry after ${retryAfterSeconds} s` })
export const unavailable = (code: string, title: string, retryAfterSeconds: number) =>
  new EdgeError(503, code, title, { 'retry-after': String(retryAfterSeconds) })
export const upstreamFailed = (cause?: unknown) => new EdgeError(502, 'upstream-unreachable', 'The platform could not be reached', {}, cause)
export const originUnreachable = (cause?: unknown) => new EdgeError(502, 'origin-unreachable', 'The superfriend could not be reached', {}, cause)
/** The identity provider's key set cannot be read: no session can be judged, which is not the caller's fault. */
export const identityUnavailable = (cause?: unknown) =>
  new EdgeError(503, 'identity-unavailable', 'Sessions cannot be checked right now', {}, cause)
/** The origin did not begin its answer within ORIGIN_TIMEOUT_MS (the forward path's own bound). */
export const originTimedOut = (timeoutMs: number, retryAfterSeconds: number, cause?: unknown) =>
  new EdgeError(504, 'origin-timeout', 'The superfriend did not answer in time', { 'retry-after': String(retryAfterSeconds) }, cause,
    { detail: `No answer began within ${Math.round(timeoutMs / 1000)} s; the request may still have been handled. Retry after ${retryAfterSeconds} s` })
