// A rate limit per tenant (the agent's tenant), counted by Cloudflare's Workers Rate Limiting binding
// (TENANT_RATE_LIMIT, `[[ratelimits]]` in wrangler.toml: `simple.limit` requests per `simple.period` of 10 or 60 s).
//
// Whose budget a request spends: the tenant's own principals (its members, its API keys) share one budget per
// tenant; everyone else (anonymous callers of a public agent, other tenants' users and keys) gets one budget
// per client address per tenant. So a flood from outside exhausts only its sender's allowance, never the
// tenant's own traffic to its private and public agents.
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

/**
 * The client's address as Cloudflare saw it. Cloudflare sets CF-Connecting-IP on every request (replacing
 * whatever the client sent), so it cannot be spoofed through Cloudflare. Locally Miniflare sets it from the
 * socket unless the client sent one, and a direct socket to the Worker (the benchmarks) has none: then all
 * outsiders of a tenant share one fixed key, `<tenant>:ip:unknown`.
 */
function clientAddress(headers: Headers): string {
  const ip = headers.get('cf-connecting-ip')?.trim()
  if (!ip) return 'unknown'
  // An IPv6 client usually holds a whole /64 and could take a new address per request: count the /64.
  return ip.includes(':') && !ip.includes('.') ? ipv6Prefix64(ip) : ip
}

/** The first four groups of an IPv6 address, expanded (`2001:db8::1` → `2001:db8:0:0::/64`). */
export function ipv6Prefix64(ip: string): string {
  const [head, tail] = ip.toLowerCase().split('::', 2) as [string, string | undefined]
  const left = head ? head.split(':') : []
  const right = tail === undefined ? [] : tail ? tail.split(':') : []
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}

/** The binding key this request counts against: the tenant's own budget, or this outside client's. */
export function rateLimitKey(tenantId: string, principalTenants: readonly string[], headers: Headers): string {
  return principalTenants.includes(tenantId) ? `${tenantId}:own` : `${tenantId}:ip:${clientAddress(headers)}`
}

export const rateLimit = (): MiddlewareHandler<EdgeEnv> =>
  async function rateLimit(c, next) {
    const limits = c.get('config').rateLimit
    const limiter = c.env.TENANT_RATE_LIMIT
    if (limits && limiter) {
      const key = rateLimitKey(c.get('route').tenantId, c.get('principalTenants'), c.req.raw.headers)
      const allowed = await limiter.limit({ key }).then(
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
