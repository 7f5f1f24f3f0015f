// The runtime's spans: one SERVER span per request that came through the edge, continuing its W3C `traceparent`,
// named by the matched route pattern (never a path with ids); the turn and its model call are child spans
// (chat/turn.ts). No-ops unless startNodeTracing (wire/node-tracing.ts) registered a provider: runtime.ts does so
// when OTEL_EXPORTER_OTLP_ENDPOINT is set, which the local driver hands on from the cluster-api.

import { trace } from '@opentelemetry/api'
import type { MiddlewareHandler } from 'hono'
import { serverSpan } from '../../../wire/node-tracing.ts'

export const tracer = trace.getTracer('myintell-agent')

export const requestSpans = (): MiddlewareHandler => async function requestSpans(c, next) {
  await serverSpan(tracer, c.req.raw.headers, async (span) => {
    span.setAttribute('http.request.method', c.req.method)
    await next()
  }, () => {
    // After next() Hono's routePath is the pattern of the handler that answered ('/v1/chat'), not the middleware's '*'.
    const route = c.req.routePath
    return route && route !== '*' && route !== '/*' ? `${c.req.method} ${route}` : c.req.method
  }, () => c.res.status)
}
