// The cluster-api's HTTP application. The request pipeline, outermost first, is written here once:
// error mapping → metrics → body limit → route families (/internal/v1: edge signature; /v1: authentication).

import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ApiDeps } from './context.ts'
import { ApiError, problemErrorHandler, problemFor, problemNotFound } from './http/problems.ts'
import { internalRouter } from './internal/router.ts'
import { PlatformMetrics } from './metrics/metrics.ts'
import type { Workloads } from './workloads/workloads.ts'

/** Larger bodies are refused with 413 before they are read: no endpoint needs more. */
export const MAX_BODY_BYTES = 1024 * 1024

const tooLarge = () => new ApiError(413, 'payload-too-large', 'Request body is larger than 1 MiB', {
  // The unread rest of the body makes the connection unusable: tell the client not to reuse it.
  headers: { connection: 'close' },
})

/**
 * Refuses bodies over `maxBytes` with 413, touching only the headers when it can: reading `request.body` makes
 * @hono/node-server build a full undici Request (Headers copy, AbortController) for the request.
 * - No body (no Content-Length, no Transfer-Encoding; RFC 9112 §6.3): nothing to limit.
 * - A declared Content-Length: judged by the header, for every method.
 * - GET and HEAD with a chunked body: ignored, never read, like one declared within the limit. @hono/node-server gives
 *   them `body: null` (as the Fetch API does) and Node discards the bytes after the answer: the handler sees the same
 *   request with or without a body, and the body is never parsed as a next request (app.test.ts).
 * - Otherwise (chunked): counted while read, by Hono's body limit.
 */
export const requestBodyLimit = (maxBytes: number): MiddlewareHandler => {
  const streamed = bodyLimit({ maxSize: maxBytes, onError: (c) => problemFor(tooLarge(), c) })
  return async function requestBodyLimit(c, next) {
    const length = c.req.header('content-length')
    const chunked = c.req.header('transfer-encoding') !== undefined
    if (length === undefined && !chunked) return next()
    // Node has already refused a malformed Content-Length, and one sent together with Transfer-Encoding.
    if (length !== undefined && !chunked) return Number(length) > maxBytes ? problemFor(tooLarge(), c) : next()
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    return streamed(c, next)
  }
}

export interface AppParts {
  deps: ApiDeps
  workloads: Workloads
  /** Mounted at /v1 (and /.well-known) by server.ts once authentication is set up. */
  mount?: (app: Hono) => void
}

export function createApp(parts: AppParts): Hono {
  const app = new Hono()
  app.onError(problemErrorHandler(parts.deps.logger))
  app.notFound(problemNotFound)
  const metrics = new PlatformMetrics()
  app.use('*', metrics.middleware())
  // Scraped from inside the cluster (Prometheus annotations on the Service); the edge never forwards /metrics
  // because api.<base> is the only host it sends to the cluster-api, and it only proxies /v1.
  app.get('/metrics', metrics.handler(parts.deps.db))
  app.use('*', requestBodyLimit(MAX_BODY_BYTES))
  app.route('/internal/v1', internalRouter(parts.deps, parts.workloads))
  parts.mount?.(app)
  return app
}
