// One error type for failed requests and one handler that turns every error into problem+json.
// The client gets a status, a stable code and a short safe message; the log gets the cause. An unreachable
// platform database is a 503 database-unavailable, and every 502/503/504 carries Retry-After.

import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from 'pino'
import { problem, problemResponse } from '../../../wire/problem.ts'
import { databaseFailureReason, isDatabaseUnavailable } from '../db/errors.ts'

/**
 * Retry-After of a 502/503/504 whose thrower named none: every such answer is a "not now", and a client told no time
 * either gives up or retries in a tight loop. A few seconds spans a database failover or a restart.
 */
export const DEFAULT_RETRY_AFTER_S = 5
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504])

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string | undefined
  readonly extra: Record<string, unknown>
  readonly headers: Record<string, string>

  constructor(
    status: number, code: string, title: string,
    options: { detail?: string; extra?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(title, { cause: options.cause })
    this.status = status
    this.code = code
    this.title = title
    this.detail = options.detail
    this.extra = options.extra ?? {}
    this.headers = options.headers ?? {}
  }
}

/** The platform database does not answer. Writes that belong together share a transaction, so none is left half-done. */
export const databaseUnavailable = (cause?: unknown) => new ApiError(503, 'database-unavailable', 'The platform database is unavailable', {
  detail: 'the platform database could not be reached; retry after the time in Retry-After', extra: { dependency: 'database' },
  headers: { 'retry-after': String(DEFAULT_RETRY_AFTER_S) }, cause,
})

export const notFoundError = (what: string) => new ApiError(404, 'not-found', `${what} not found`)
export const unauthorized = (detail?: string) => new ApiError(401, 'unauthorized', 'Authentication required', {
  ...(detail ? { detail } : {}), headers: { 'www-authenticate': 'Bearer' },
})

export function problemFor(error: ApiError, c?: Context): Response {
  const body = problem(error.status, error.code, error.title, error.detail, error.extra)
  if (c) body.instance = new URL(c.req.url).pathname
  const retryable = RETRYABLE_STATUSES.has(error.status) && !Object.keys(error.headers).some((name) => name.toLowerCase() === 'retry-after')
  return problemResponse(body, retryable ? { ...error.headers, 'retry-after': String(DEFAULT_RETRY_AFTER_S) } : error.headers)
}

export const problemNotFound: NotFoundHandler = (c) => problemFor(new ApiError(404, 'not-found', 'No such endpoint'), c)

const HTTP_EXCEPTION_CODES: Record<number, string> = {
  400: 'malformed-request',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
}

export function problemErrorHandler(logger: Logger): ErrorHandler {
  return function onError(error, c) {
    if (error instanceof ApiError) return problemFor(error, c)
    if (error instanceof HTTPException) {
      // Hono's own validators throw these: malformed JSON, a wrong content type.
      const status = error.status as ContentfulStatusCode
      const code = HTTP_EXCEPTION_CODES[status] ?? `http-${status}`
      return problemFor(new ApiError(status, code, error.message || 'Bad request'), c)
    }
    if (isDatabaseUnavailable(error)) {
      // Expected during an outage, once per request: the message, not an alarm with a stack per request.
      logger.warn({ reason: databaseFailureReason(error), path: new URL(c.req.url).pathname, method: c.req.method }, 'platform database unavailable')
      return problemFor(databaseUnavailable(), c)
    }
    logger.error({ err: error, path: new URL(c.req.url).pathname, method: c.req.method }, 'unhandled error')
    return problemFor(new ApiError(500, 'internal', 'Internal server error'), c)
  }
}
