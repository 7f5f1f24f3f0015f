// The rate-limit stage against the real Workers Rate Limiting binding as workerd runs it locally
// (edge/vitest.config.ts: 3 requests per tenant per 60 s).

import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { RouteInfo } from '../../../wire/internal-api.ts'
import { configFor, type EdgeConfig } from '../config.ts'
import type { EdgeEnv } from '../context.ts'
import type { Env } from '../env.ts'
import { EdgeError, errorResponse } from '../problems.ts'
import { rateLimit } from './rate-limit.ts'

const testEnv = env as unknown as Env

function appFor(tenantId: string, config: EdgeConfig) {
  const route: RouteInfo = { slug: 's', agentId: `agt_${tenantId}`, tenantId, visibility: 'public', state: 'ready' }
  const app = new Hono<EdgeEnv>()
  app.use(async (c, next) => {
    c.set('config', config)
    c.set('requestId', 'test-request')
    c.set('route', route)
    await next()
  })
  app.use(rateLimit())
  app.all('*', (c) => c.text('served'))
  app.onError((error) => (error instanceof EdgeError ? errorResponse(error) : new Response('unexpected', { status: 500 })))
  return app
}

/** Calls until the first 429 or `max` calls; the limit (3 per fixed minute) is reached within 7 even across a minute boundary. */
async function untilRefused(app: Hono<EdgeEnv>, bindings: Env, max = 7): Promise<Response[]> {
  const replies: Response[] = []
  for (let i = 0; i < max; i++) {
    const reply = await app.request('http://s.localhost/', {}, bindings)
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
    const replies = await untilRefused(appFor(busy, config), testEnv)
    expect(replies.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200])
    const refused = replies.at(-1)!
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('60')
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(await refused.json()).toMatchObject({ status: 429, code: 'rate-limited', type: 'https://myintell.ai/problems/rate-limited' })

    const other = await appFor(tenant(), config).request('http://s.localhost/', {}, testEnv)
    expect(other.status).toBe(200)
  })

  it('counts nothing when the limit is off', async () => {
    const off: EdgeConfig = { ...configFor(testEnv), rateLimit: null }
    const app = appFor(tenant(), off)
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push((await app.request('http://s.localhost/', {}, testEnv)).status)
    expect(statuses.every((s) => s === 200)).toBe(true)
  })

  it('lets requests through when the limiter itself fails', async () => {
    // A stand-in for Cloudflare's binding in a fault, not for any part of ours.
    const broken: RateLimit = { limit: () => Promise.reject(new Error('limiter unavailable')) }
    const reply = await appFor(tenant(), configFor(testEnv)).request('http://s.localhost/', {}, { ...testEnv, TENANT_RATE_LIMIT: broken })
    expect(reply.status).toBe(200)
  })
})
