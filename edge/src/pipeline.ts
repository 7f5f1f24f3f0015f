// The edge's request pipeline: the one place that says in which order a request is handled.
// Each stage is a small middleware in stages/ with its own test; its own file says what it does, not where it runs.

import { Hono } from 'hono'
import type { EdgeEnv } from './context.ts'
import { errorResponse } from './problems.ts'
import { accessLog } from './stages/access-log.ts'
import { anonymousSession } from './stages/anonymous-session.ts'
import { authenticate } from './stages/authenticate.ts'
import { authorize } from './stages/authorize.ts'
import { classifyHost } from './stages/classify-host.ts'
import { cookieOrigin } from './stages/cookie-origin.ts'
import { cors } from './stages/cors.ts'
import { forwardOrWake } from './stages/forward-or-wake.ts'
import { hostHeader } from './stages/host-header.ts'
import { platformHosts } from './stages/platform-hosts.ts'
import { rateLimit } from './stages/rate-limit.ts'
import { requestHeadLimits } from './stages/request-head-limits.ts'
import { requestId } from './stages/request-id.ts'
import { requestSpan } from './telemetry/request-span.ts'
import { resolveRoute } from './stages/resolve-route.ts'
import { stripInternalHeaders } from './stages/strip-internal-headers.ts'
import { ProblemError } from '../../wire/problem.ts'

export function createEdgeApp(): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>()

  // Outermost first. Each stage is its own file in stages/ (with its test); they hand each other what they learn
  // through the context (context.ts). Stages 1–8 see every request, and 8 answers the platform's own hosts (landing,
  // app, api) itself; 9–15 see a superfriend's host only.
  app.use(hostHeader()) //           1. exactly one Host, the URL's (two, a list, a mismatch → 400), before anything reads the URL
  app.use(accessLog()) //            2. one line per answered request (ACCESS_LOG: pretty | json | off)
  app.use(requestId()) //            3. X-Request-Id (the client's if plain, else a new one) on the response; the config on the context
  app.use(requestSpan()) //          3b. a trace span (OTEL_EXPORTER_OTLP_ENDPOINT set), continuing the caller's traceparent
  app.use(requestHeadLimits()) //    4. header fields over 16 KiB → 431, path and query over 16 KiB → 414 (wire/request-limits.ts)
  app.use(stripInternalHeaders()) // 5. drop client-sent X-Tenant-*, X-Agent-*, X-Edge-*, X-Principal*
  app.use(classifyHost()) //         6. host → landing | app | api | <slug>; anything else 404
  app.use(cors()) //                 7. CORS for the dashboard's origin only; preflights end here
  app.use(platformHosts()) //        8. landing page, the dashboard (its files, else index.html) and /v1 (bounded by CLUSTER_API_TIMEOUT_MS) end here
  app.use(cookieOrigin()) //         9. a cookie-authenticated unsafe request or WebSocket from another site's page → 403
  app.use(resolveRoute()) //        10. slug → route: isolate cache → AgentGate → cluster-api; unknown → 404
  app.use(authenticate()) //        11. Clerk JWT (Bearer or __session) | mi_ API key (+ scopes) | anonymous
  app.use(anonymousSession()) //    12. anonymous on a public agent → anon:<id> from its signed mi_anon cookie, or a new one (Set-Cookie)
  app.use(authorize()) //           13. the principal's tenant owns the agent (or it is public); an API key needs chat
  app.use(rateLimit()) //           14. per tenant for its own principals, per client address for outsiders (Workers Rate Limiting)
  app.all('*', forwardOrWake()) //  15. warm → origin; else hold in AgentGate, then origin; then account usage and activity

  app.onError((error, c) => {
    if (error instanceof ProblemError) return errorResponse(error, c.get('requestId'))
    console.error('edge: unhandled error', c.get('requestId'), error)
    return errorResponse(new ProblemError({ status: 500, code: 'internal', title: 'Something went wrong at the edge' }), c.get('requestId'))
  })
  return app
}
