// The cluster-api's HTTP application: its request pipeline, outermost first, written here once (createApp below).
// Each stage lives in its own module; none restates its place in the order.

import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ApiDeps } from './context.ts'
import { problemErrorHandler, problemFor, problemNotFound } from './http/problems.ts'
import { internalRouter } from './internal/router.ts'
import { PlatformMetrics } from './metrics/metrics.ts'
import { requestSpans } from './telemetry/tracing.ts'
import type { Workloads } from './workloads/workloads.ts'
import { ProblemError } from '../../wire/problem.ts'

/** Larger bodies are refused with 413 before they are read: no endpoint needs more. */
export const MAX_BODY_BYTES = 1024 * 1024

// The unread rest of a body makes the connection unusable: these answers tell the client not to reuse it, and Node
// closes it once the answer is written instead of discarding the rest of the body first.
const tooLarge = (maxBytes: number) => new ProblemError({
  status: 413, code: 'payload-too-large', title: `Request body is larger than ${maxBytes / 1024 / 1024} MiB`,
  headers: { connection: 'close' },
})
const bodyNotAllowed = (method: string) => new ProblemError({
  status: 400, code: 'body-not-allowed', title: `A ${method} request may not send a chunked body`,
  detail: 'no GET or HEAD endpoint reads a body: send the request without one',
  headers: { connection: 'close' },
})

/**
 * Keeps every request body within `maxBytes`, touching only the headers when it can: reading `request.body` makes
 * @hono/node-server build a full undici Request (Headers copy, AbortController) for the request.
 * - No body (no Content-Length, no Transfer-Encoding; RFC 9112 §6.3): nothing to limit.
 * - A declared Content-Length: judged by the header, for every method (over the limit: 413). GET and HEAD get
 *   `body: null` from @hono/node-server (as in the Fetch API), so a declared GET/HEAD body within the limit is ignored:
 *   Node discards at most `maxBytes` after the answer, and never parses them as a next request (app.test.ts).
 * - GET and HEAD with Transfer-Encoding: 400, connection closed. Nothing reads their body, so nothing could count it,
 *   and Node would discard an endless one until its 300 s requestTimeout after answering.
 * - Any other chunked body: counted as it is read, by Hono's body limit (which reads it whole before the handler).
 */
export const requestBodyLimit = (maxBytes: number): MiddlewareHandler => {
  const streamed = bodyLimit({ maxSize: maxBytes, onError: (c) => problemFor(tooLarge(maxBytes), c) })
  return async function requestBodyLimit(c, next) {
    const length = c.req.header('content-length')
    const chunked = c.req.header('transfer-encoding') !== undefined
    if (length === undefined && !chunked) return next()
    // Node has already refused a malformed Content-Length, and one sent together with Transfer-Encoding.
    if (length !== undefined && !chunked) return Number(length) > maxBytes ? problemFor(tooLarge(maxBytes), c) : next()
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return problemFor(bodyNotAllowed(c.req.method), c)
    return streamed(c, next)
  }
}

export interface AppParts {
  deps: ApiDeps
  workloads: Workloads
  /** The /metrics registry, shared with the workloads' wake metrics; default: a fresh one. */
  metrics?: PlatformMetrics
  /** Mounted at /v1 (and /.well-known) by server.ts once authentication is set up. */
  mount?: (app: Hono) => void
  /** Where delegated turns go and how long a delegate may take to wake: the runs' (runs/index.ts); default theirs. */
  delegation?: { originUrl?: string | undefined; wakeTimeoutMs: number }
}

export function createApp(parts: AppParts): Hono {
  const app = new Hono()
  const metrics = parts.metrics ?? new PlatformMetrics(parts.deps.db)
  // The request pipeline, outermost first: the one place that says in which order a request is handled.
  app.onError(problemErrorHandler(parts.deps.logger)) // every error → problem+json with a safe message; the cause goes to the log
  app.notFound(problemNotFound) //                         no route → 404 problem
  app.use('*', requestSpans()) //                      0. a trace span per request, continuing the edge's traceparent (telemetry/)
  app.use('*', metrics.middleware()) //                 1. counts and times every request (metrics/)
  // Scraped from inside the cluster (Prometheus annotations on the Service); the edge never forwards /metrics
  // because api.<base> is the only host it sends to the cluster-api, and it only proxies /v1.
  app.get('/metrics', metrics.handler()) // 2. the Prometheus scrape ends here
  app.use('*', requestBodyLimit(MAX_BODY_BYTES)) //     3. bodies over 1 MiB → 413 before they are read
  // 4. /internal/v1, the edge's API: the edge signature first (internal/edge-signature.ts; a runtime's key opens only
  //    its own usage path, KEDA's bearer token only the scaling path), then the routes (internal/router.ts).
  app.route('/internal/v1', internalRouter(parts.deps, parts.workloads, parts.delegation))
  // 5. /v1, for the dashboard, the CLI and customers' code (v1/mount.ts): authentication (a session JWT or an API
  //    key; the public paths skip it), then each route's validation and tenant check; and the local JWKS.
  parts.mount?.(app)
  return app
}
