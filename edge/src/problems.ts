// The edge's error responses: a status, a stable code and a short safe message. Never a stack or a hostname.

import { problem, problemResponse } from '../../wire/problem.ts'

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
    this.headers = headers
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
/** The origin did not begin its answer within ORIGIN_TIMEOUT_MS (the forward path's own bound). */
export const originTimedOut = (timeoutMs: number, retryAfterSeconds: number, cause?: unknown) =>
  new EdgeError(504, 'origin-timeout', 'The superfriend did not answer in time', { 'retry-after': String(retryAfterSeconds) }, cause,
    { detail: `No answer began within ${Math.round(timeoutMs / 1000)} s; the request may still have been handled. Retry after ${retryAfterSeconds} s` })
