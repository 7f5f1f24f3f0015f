// Stage 7: a token bucket per tenant, per isolate. Cheap and local: it stops one tenant from flooding an
// isolate; it is not a global quota (that is the cluster-api's job with the usage it ingests).

import type { MiddlewareHandler } from 'hono'
import type { EdgeEnv } from '../context.ts'
import { rateLimited } from '../problems.ts'

interface Bucket {
  tokens: number
  updatedAt: number
}

const MAX_TRACKED_TENANTS = 10_000
const buckets = new Map<string, Bucket>()

/** Takes one token from `tenantId`'s bucket; returns the seconds to wait when there is none. */
export function takeToken(tenantId: string, perSecond: number, burst: number, now = Date.now()): number {
  let bucket = buckets.get(tenantId)
  if (!bucket) {
    if (buckets.size >= MAX_TRACKED_TENANTS) buckets.clear()
    bucket = { tokens: burst, updatedAt: now }
    buckets.set(tenantId, bucket)
  }
  bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond)
  bucket.updatedAt = now
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1
    return 0
  }
  return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond))
}

export const rateLimit = (): MiddlewareHandler<EdgeEnv> =>
  async function rateLimit(c, next) {
    const { rateLimitPerSecond, rateLimitBurst } = c.var.config
    if (rateLimitPerSecond > 0) {
      const wait = takeToken(c.var.route.tenantId, rateLimitPerSecond, Math.max(1, rateLimitBurst))
      if (wait > 0) throw rateLimited(wait)
    }
    await next()
  }
