// The edge's SERVER span for a request, continuing the caller's `traceparent` (trace continuity only: tracing.ts),
// named by host kind (landing, app, api, agent), never by a path. Its spans go out after the answer, with waitUntil.

import { SpanKind } from '@opentelemetry/api'
import type { MiddlewareHandler } from 'hono'
import type { EdgeEnv } from '../context.ts'
import { sendSpans, startSpan, TRACEPARENT } from './tracing.ts'

export const requestSpan = (): MiddlewareHandler<EdgeEnv> =>
  async function requestSpan(c, next) {
    const settings = c.get('config').tracing
    const span = startSpan(settings, 'request', SpanKind.SERVER, c.req.header(TRACEPARENT))
    c.set('span', span)
    if (!span) return next()
    span.span.setAttribute('http.request.method', c.req.method)
    let failed = false
    try {
      await next()
    } catch (error) {
      failed = true
      throw error
    } finally {
      const host = c.get('host')
      span.span.updateName(`${c.req.method} ${host?.kind ?? 'unknown'}`)
      span.end({ status: failed ? 500 : c.res.status, failed })
      try {
        c.executionCtx.waitUntil(sendSpans(settings))
      } catch {
        // no execution context (a unit test of the app): the spans wait for the next request
      }
    }
  }
