// The rate-limit stage against the real Workers Rate Limiting binding as workerd runs it locally
// (edge/vitest.config.ts: 3 requests per key per 60 s; a key is a tenant's own budget or one outside client's).

import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { RouteInfo } from '../../../wire/internal-api.ts'
import { configFor, type EdgeConfig } from '../config.ts'
import type { EdgeEnv } from '../context.ts'
import type { Env } from '../env.ts'
import { errorResponse } from '../problems.ts'
import { rateLimit, rateLimitKey } from './rate-limit.ts'
import { ProblemError } from '../../../wire/problem.ts'

const testEnv = env as unknown as Env

/** Who calls: a key of the agent's tenant, anonymous, or a key of another tenant; outsiders from `ip`. */
interface Caller {
  who: 'own' | 'anonymous' | 'foreign'
  ip?: string
}
const own: Caller = { who: 'own' }
const anonymous = (ip?: string): Caller => ({ who: 'anonymous', ip })
const foreign = (ip?: string): Caller => ({ who: 'foreign', ip })

function appFor(tenantId: string, config: EdgeConfig) {
  const route: RouteInfo = { slug: 's', agentId: `agt_${tenantId}`, tenantId, visibility: 'public', state: 'ready' }
  const app = new Hono<EdgeEnv>()
  app.use(async (c, next) => {
    c.set('config', config)
    c.set('requestId', 'test-request')
    c.set('route', route)
    const who = c.req.header('x-test-caller') as Caller['who']
    c.set('principal', who === 'anonymous' ? 'anonymous' : `key:${who}`)
    c.set('principalTenants', who === 'own' ? [tenantId] : who === 'foreign' ? ['ten_someone_else'] : [])
    await next()
  })
  app.use(rateLimit())
  app.all('*', (c) => c.text('served'))
  app.onError((error) => (error instanceof ProblemError ? errorResponse(error) : new Response('unexpected', { status: 500 })))
  return app
}

function call(app: Hono<EdgeEnv>, caller: Caller, bindings: Env = testEnv): Promise<Response> | Response {
  const headers: Record<string, string> = { 'x-test-caller': caller.who }
  if (caller.ip) headers['cf-connecting-ip'] = caller.ip
  return app.request('http://s.localhost/', { headers }, bindings)
}

/** Calls until the first 429 or `max` calls; the limit (3 per fixed minute) is reached within 7 even across a minute boundary. */
async function untilRefused(app: Hono<EdgeEnv>, caller: Caller, max = 7): Promise<Response[]> {
  const replies: Response[] = []
  for (let i = 0; i < max; i++) {
    const reply = await call(app, caller)
    replies.push(reply)
    if (reply.status === 429) break
  }
  return replies
}

const tenant = () => `ten_${crypto.randomUUID()}`

describe('rate limit per tenant', () => {
  it('refuses a tenant past its limit with 429 problem+json and Retry-After of one window; another tenant is served', async () => {
    const config = configFor(testEnv)
    expect(config.rateLimit).toEqual({ periodSeconds: 60 })
    const busy = tenant()
    const replies = await untilRefused(appFor(busy, config), own)
    expect(replies.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200])
    const refused = replies.at(-1)!
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('60')
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(await refused.json()).toMatchObject({ status: 429, code: 'rate-limited', type: 'https://myintell.ai/problems/rate-limited' })

    const other = await call(appFor(tenant(), config), own)
    expect(other.status).toBe(200)
  })

  it("counts callers from outside the tenant per address: a flood is refused, the tenant's own traffic and other addresses are served", async () => {
    const app = appFor(tenant(), configFor(testEnv))
    const flood = await untilRefused(app, anonymous('203.0.113.7'))
    expect(flood.at(-1)!.status).toBe(429)
    expect((await call(app, own)).status).toBe(200)
    expect((await call(app, anonymous('198.51.100.20'))).status).toBe(200)
  })

  it("does not let the tenant's own traffic spend an outsider's budget", async () => {
    const app = appFor(tenant(), configFor(testEnv))
    expect((await untilRefused(app, own)).at(-1)!.status).toBe(429)
    expect((await call(app, anonymous('203.0.113.8'))).status).toBe(200)
  })

  it("counts another tenant's key like any outsider: by its address, not against the tenant's budget", async () => {
    const app = appFor(tenant(), configFor(testEnv))
    expect((await untilRefused(app, foreign('203.0.113.9'))).at(-1)!.status).toBe(429)
    expect((await call(app, own)).status).toBe(200)
  })

  it('counts nothing when the limit is off', async () => {
    const off: EdgeConfig = { ...configFor(testEnv), rateLimit: null }
    const app = appFor(tenant(), off)
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push((await call(app, own)).status)
    expect(statuses.every((s) => s === 200)).toBe(true)
  })

  it('lets requests through when the limiter itself fails', async () => {
    // A stand-in for Cloudflare's binding in a fault, not for any part of ours.
    const broken: RateLimit = { limit: () => Promise.reject(new Error('limiter unavailable')) }
    const reply = await call(appFor(tenant(), configFor(testEnv)), own, { ...testEnv, TENANT_RATE_LIMIT: broken })
    expect(reply.status).toBe(200)
  })
})

describe('rateLimitKey', () => {
  const headers = (ip?: string) => new Headers(ip ? { 'cf-connecting-ip': ip } : {})

  it("is the tenant's own budget for any principal of the tenant, whatever its address", () => {
    expect(rateLimitKey('ten_a', ['ten_b', 'ten_a'], headers('203.0.113.7'))).toBe('ten_a:own')
  })

  it('is per address for anonymous and foreign callers, and one fixed key when there is no CF-Connecting-IP (locally)', () => {
    expect(rateLimitKey('ten_a', [], headers('203.0.113.7'))).toBe('ten_a:ip:203.0.113.7')
    expect(rateLimitKey('ten_a', ['ten_b'], headers('203.0.113.7'))).toBe('ten_a:ip:203.0.113.7')
    expect(rateLimitKey('ten_a', [], headers())).toBe('ten_a:ip:unknown')
  })

  it('counts an IPv6 client by its /64, so changing addresses within it does not buy a new budget', () => {
    const key = rateLimitKey('ten_a', [], headers('2001:db8:0:12:aaaa::1'))
    expect(key).toBe('ten_a:ip:2001:db8:0:12::/64')
    expect(rateLimitKey('ten_a', [], headers('2001:0DB8:0000:0012:1:2:3:4'))).toBe(key)
    expect(rateLimitKey('ten_a', [], headers('2001:db8::1'))).toBe('ten_a:ip:2001:db8:0:0::/64')
    expect(rateLimitKey('ten_a', [], headers('::ffff:192.0.2.1'))).toBe('ten_a:ip:::ffff:192.0.2.1')
  })
})
