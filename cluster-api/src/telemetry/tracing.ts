// The cluster-api's spans: one SERVER span per request, continuing the caller's W3C `traceparent` (the edge's), named
// by route family (never a path with ids); the wake's driver call is a child span (workloads.ts). No-ops unless
// startNodeTracing (wire/node-tracing.ts) registered a provider, which server.ts does when an endpoint is set.

import { trace } from '@opentelemetry/api'
import type { MiddlewareHandler } from 'hono'
import { serverSpan } from '../../../wire/node-tracing.ts'
import { routeFamily } from '../metrics/route-family.ts'

export const tracer = trace.getTracer('myintell-cluster-api')

export const requestSpans = (): MiddlewareHandler => async function requestSpans(c, next) {
  await serverSpan(tracer, c.req.raw.headers, async (span) => {
    span.setAttribute('http.request.method', c.req.method)
    span.setAttribute('http.route', routeFamily(c.req.path))
    await next()
  }, () => `${c.req.method} ${routeFamily(c.req.path)}`, () => c.res.status)
}
