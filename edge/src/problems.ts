// The edge's problems: its factories of ProblemError (wire/problem.ts) and the one renderer its onError uses.
// The client gets a status, a stable code and a short safe message; never a stack or a hostname.

import { ProblemError, problemResponse, withDefaultRetryAfter } from '../../wire/problem.ts'

/**
 * What a 502, 503 or 504 tells the client when its thrower named no time of its own: every one of them is a "not
 * now" (the platform, an origin or a dependency is away), and a client without Retry-After either gives up or
 * retries at once in a loop. A few seconds covers a restart of the cluster-api or an agent.
 */
export const DEFAULT_RETRY_AFTER_S = 5

/** The problem+json answer for `error`, with the request id as an extension member. */
export function errorResponse(error: ProblemError, requestId?: string): Response {
  const body = error.toProblem(requestId ? { extensions: { requestId } } : {})
  return problemResponse(body, withDefaultRetryAfter(error.status, error.headers, DEFAULT_RETRY_AFTER_S))
}

export const unknownHost = () => new ProblemError({ status: 404, code: 'unknown-host', title: 'No such host' })
/** api.<base> serves the public /v1 API only; the internal API and anything else behind it stay unreachable. */
export const notPublicApi = () => new ProblemError({ status: 404, code: 'not-found', title: 'No such API endpoint' })
/** app.<base> has no such file (the dashboard's build does not hold it). */
export const noSuchFile = () => new ProblemError({ status: 404, code: 'not-found', title: 'No such file' })
export const unknownAgent = () => new ProblemError({ status: 404, code: 'unknown-agent', title: 'No superfriend lives at this address' })
export const unauthenticated = () =>
  new ProblemError({ status: 401, code: 'unauthenticated', title: 'Sign in or send an API key', headers: { 'www-authenticate': 'Bearer' } })
export const badCredentials = () =>
  new ProblemError({
    status: 401, code: 'invalid-credentials', title: 'The session or API key is not valid',
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  })
export const forbidden = () => new ProblemError({ status: 403, code: 'forbidden', title: 'This superfriend belongs to another account' })
/** An unsafe request or a WebSocket authenticated by a cookie, sent from a page of another site (CSRF, CSWSH). */
export const originNotAllowed = () =>
  new ProblemError({
    status: 403, code: 'origin-not-allowed', title: 'This request must come from the superfriend\'s own site or the dashboard',
    detail: 'A cookie-authenticated request that changes something, or opens a WebSocket, must carry the Origin of this superfriend or of the dashboard; other clients send a Bearer token',
  })
/** Two Host headers, a list of hosts, or one that is not the request's own. */
export const badHost = () => new ProblemError({ status: 400, code: 'bad-host', title: 'The request must name exactly one host' })
export const headersTooLarge = (maxBytes: number) =>
  new ProblemError({
    status: 431, code: 'headers-too-large', title: 'Request header fields too large',
    detail: `The request's header fields must total at most ${maxBytes} bytes`,
    extensions: { maxBytes },
  })
export const targetTooLong = (maxBytes: number) =>
  new ProblemError({
    status: 414, code: 'uri-too-long', title: 'Request URI too long',
    detail: `The request's path and query must be at most ${maxBytes} bytes`,
    extensions: { maxBytes },
  })
/** The platform accepted the call but did not begin to answer within the edge's bound. */
export const upstreamTimeout = (retryAfterSeconds: number) =>
  new ProblemError({
    status: 504, code: 'upstream-timeout', title: 'The platform did not answer in time',
    detail: `Retry after ${retryAfterSeconds} s`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  })
/** Same code and wording as the cluster-api's /v1 answer to a key without the scope an operation needs. */
export const insufficientScope = (scope: string) =>
  new ProblemError({
    status: 403, code: 'insufficient-scope', title: `This API key lacks the "${scope}" scope`,
    detail: `Talking to a superfriend needs an API key with the "${scope}" scope`,
    extensions: { requiredScope: scope },
    headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
  })
export const rateLimited = (retryAfterSeconds: number) =>
  new ProblemError({
    status: 429, code: 'rate-limited', title: 'Too many requests',
    detail: `Retry after ${retryAfterSeconds} s`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  })
export const unavailable = (code: string, title: string, retryAfterSeconds: number) =>
  new ProblemError({ status: 503, code, title, headers: { 'retry-after': String(retryAfterSeconds) } })
export const upstreamFailed = (cause?: unknown) => new ProblemError({
  status: 502, code: 'upstream-unreachable', title: 'The platform could not be reached',
  cause,
})
/** Nothing answered from the origin at all (forward-or-wake.ts sends the request through the gate once more first). */
export const originUnreachable = (retryAfterSeconds: number, cause?: unknown) => new ProblemError({
  status: 502, code: 'origin-unreachable', title: 'The superfriend could not be reached',
  headers: { 'retry-after': String(retryAfterSeconds) }, cause,
})
/** The identity provider's key set cannot be read: no session can be judged, which is not the caller's fault. */
export const identityUnavailable = (cause?: unknown) =>
  new ProblemError({ status: 503, code: 'identity-unavailable', title: 'Sessions cannot be checked right now', cause })
/** The origin did not begin its answer within ORIGIN_TIMEOUT_MS (the forward path's own bound). */
export const originTimedOut = (timeoutMs: number, retryAfterSeconds: number, cause?: unknown) =>
  new ProblemError({
    status: 504, code: 'origin-timeout', title: 'The superfriend did not answer in time',
    detail: `No answer began within ${Math.round(timeoutMs / 1000)} s; the request may still have been handled. Retry after ${retryAfterSeconds} s`,
    headers: { 'retry-after': String(retryAfterSeconds) },
    cause,
  })
