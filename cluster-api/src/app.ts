// The cluster-api's HTTP application. The request pipeline, outermost first, is written here once:
// error mapping → metrics → body limit → route families (/internal/v1: edge signature; /v1: authentication).

import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ApiDeps } from './context.ts'
import { ApiError, problemErrorHandler, problemFor, problemNotFound } from './http/problems.ts'
import { internalRouter } from './internal/router.ts'
import { PlatformMetrics } from './metrics/metrics.ts'
import type { Workloads } from './workloads/workloads.ts'

/** Larger bodies are refused with 413 before they are read: no endpoint needs more. */
export const MAX_BODY_BYTES = 1024 * 1024

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
  app.use('*', bodyLimit({
    maxSize: MAX_BODY_BYTES,
    // The unread rest of the body makes the connection unusable: tell the client not to reuse it.
    onError: (c) => problemFor(new ApiError(413, 'payload-too-large', 'Request body is larger than 1 MiB', { headers: { connection: 'close' } }), c),
  }))
  app.route('/internal/v1', internalRouter(parts.deps, parts.workloads))
  parts.mount?.(app)
  return app
}
