// Stage 7: a rate limit per tenant (the agent's tenant), counted by Cloudflare's Workers Rate Limiting binding
// (TENANT_RATE_LIMIT, `[[ratelimits]]` in wrangler.toml: `simple.limit` requests per `simple.period` of 10 or 60 s).
//
// What the binding promises, and so what this limit is: counters are per Cloudflare location (a tenant whose
// clients reach several locations gets the limit in each), and eventually consistent (each isolate checks a
// locally cached counter that a backing store in the same location updates in the background, so a burst can
// overshoot a little before it is refused). It is abuse protection, not accounting; usage and quotas are the
// cluster-api's, from the usage the edge ingests. The check costs no network round trip and no Durable Object
// on Cloudflare; locally, Miniflare counts in an internal object with fixed windows aligned to the clock.

import type { MiddlewareHandler } from 'hono'
import type { EdgeEnv } from '../context.ts'
import { rateLimited } from '../problems.ts'

/** A broken limiter is logged at most this often per isolate, not once per request. */
const LIMITER_ERROR_LOG_INTERVAL_MS = 60_000
let lastLimiterErrorLog = -Infinity

export const rateLimit = (): MiddlewareHandler<EdgeEnv> =>
  async function rateLimit(c, next) {
    const limits = c.get('config').rateLimit
    const limiter = c.env.TENANT_RATE_LIMIT
    if (limits && limiter) {
      const allowed = await limiter.limit({ key: c.get('route').tenantId }).then(
        (outcome) => outcome.success,
        (error: unknown) => {
          // Fail open: the limit protects the platform; a limiter fault must not take every agent down with it.
          if (Date.now() - lastLimiterErrorLog >= LIMITER_ERROR_LOG_INTERVAL_MS) {
            lastLimiterErrorLog = Date.now()
            console.error('edge: rate limiter failed, letting requests through', c.get('requestId'), error)
          }
          return true
        },
      )
      // The binding says neither how full the window is nor when it ends; after one period it has moved on.
      if (!allowed) throw rateLimited(limits.periodSeconds)
    }
    await next()
  }
