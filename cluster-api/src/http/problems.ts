// The cluster-api's problems: factories of ProblemError (wire/problem.ts) and the one handler that turns every error
// into problem+json.
// The client gets a status, a stable code and a short safe message; the log gets the cause. An unreachable
// platform database is a 503 database-unavailable, and every 502/503/504 carries Retry-After.

import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from 'pino'
import { ProblemError, problemResponse, withDefaultRetryAfter } from '../../../wire/problem.ts'
import { databaseFailureReason, isDatabaseUnavailable } from '../db/errors.ts'

/**
 * Retry-After of a 502/503/504 whose thrower named none: every such answer is a "not now", and a client told no time
 * either gives up or retries in a tight loop. A few seconds spans a database failover or a restart.
 */
export const DEFAULT_RETRY_AFTER_S = 5

/** The platform database does not answer. Writes that belong together share a transaction, so none is left half-done. */
export const databaseUnavailable = (cause?: unknown) => new ProblemError({
  status: 503, code: 'database-unavailable', title: 'The platform database is unavailable',
  detail: 'the platform database could not be reached; retry after the time in Retry-After', extensions: { dependency: 'database' },
  headers: { 'retry-after': String(DEFAULT_RETRY_AFTER_S) }, cause,
})

export const notFoundError = (what: string) => new ProblemError({ status: 404, code: 'not-found', title: `${what} not found` })
export const unauthorized = (detail?: string) =>
  new ProblemError({ status: 401, code: 'unauthorized', title: 'Authentication required', detail, headers: { 'www-authenticate': 'Bearer' } })

/** The problem+json answer for `error`, its instance the request's path. */
export function problemFor(error: ProblemError, c?: Context): Response {
  const body = error.toProblem(c ? { instance: new URL(c.req.url).pathname } : {})
  return problemResponse(body, withDefaultRetryAfter(error.status, error.headers, DEFAULT_RETRY_AFTER_S))
}

export const problemNotFound: NotFoundHandler = (c) => problemFor(new ProblemError({ status: 404, code: 'not-found', title: 'No such endpoint' }), c)

const HTTP_EXCEPTION_CODES: Record<number, string> = {
  400: 'malformed-request',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
}

export function problemErrorHandler(logger: Logger): ErrorHandler {
  return function onError(error, c) {
    if (error instanceof ProblemError) return problemFor(error, c)
    if (error instanceof HTTPException) {
      // Hono's own validators throw these: malformed JSON, a wrong content type.
      const status = error.status as ContentfulStatusCode
      const code = HTTP_EXCEPTION_CODES[status] ?? `http-${status}`
      return problemFor(new ProblemError({ status: status, code: code, title: error.message || 'Bad request' }), c)
    }
    if (isDatabaseUnavailable(error)) {
      // Expected during an outage, once per request: the message, not an alarm with a stack per request.
      logger.warn({ reason: databaseFailureReason(error), path: new URL(c.req.url).pathname, method: c.req.method }, 'platform database unavailable')
      return problemFor(databaseUnavailable(), c)
    }
    logger.error({ err: error, path: new URL(c.req.url).pathname, method: c.req.method }, 'unhandled error')
    return problemFor(new ProblemError({ status: 500, code: 'internal', title: 'Internal server error' }), c)
  }
}
