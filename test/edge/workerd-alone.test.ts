// The bundle `wrangler deploy` ships, run by workerd with nothing of Miniflare's around it (the setup the edge
// bench measures, closest to Cloudflare): it forwards signed requests to a warm agent, holds a crowd for one
// wake, enforces its rate limit through the binding, and its AgentGate keeps state on local SQLite.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COLD_START } from '../../wire/headers.ts'
import { edgeRequest, json } from './support/edge-client.ts'
import { startEdgeWorkerd, type EdgeWorkerd } from './support/edge-workerd.ts'
import { startFakePlatform, type FakePlatform } from './support/fake-platform.ts'

const SECRET = 'workerd-alone-test-secret-0123456789abcdef'
let platform: FakePlatform
let edge: EdgeWorkerd

beforeAll(async () => {
  platform = await startFakePlatform(SECRET)
  edge = await startEdgeWorkerd(
    { CLUSTER_API_URL: platform.clusterUrl, ORIGIN_URL: platform.originUrl, EDGE_SIGNING_SECRET: SECRET },
    { rateLimit: { limit: 5, periodSeconds: 60 } },
  )
}, 60_000)
afterAll(async () => {
  await edge?.dispose()
  await platform?.close()
})

describe('the edge in workerd alone', () => {
  it('forwards a request to a warm agent with the signed identity headers, straight from the bundle', async () => {
    platform.addAgent({ slug: 'alone-warm', visibility: 'public', running: true })
    const reply = await edgeRequest(edge.url, 'alone-warm.localhost', '/v1/hello?x=1', { headers: { 'x-tenant-host': 'someone-else' } })
    expect(reply.status).toBe(200)
    expect(json(reply)).toMatchObject({ agent: 'alone-warm', principal: expect.stringMatching(/^anon:[0-9a-f]{32}$/), path: '/v1/hello?x=1' })
    expect(reply.headers[COLD_START]).toBeUndefined()
  })

  it('holds a crowd on a cold agent in its AgentGate and releases it after one wake', async () => {
    const agent = platform.addAgent({ slug: 'alone-cold', visibility: 'public', wakeDelayMs: null })
    const replies = Promise.all(Array.from({ length: 4 }, (_, i) => edgeRequest(edge.url, 'alone-cold.localhost', `/n/${i}`)))
    await expect.poll(async () => (await edge.gate('alone-cold')).held, { timeout: 10_000 }).toBe(4)
    expect((await edge.gate('alone-cold')).phase).toBe('waking')
    platform.markReady(agent.agentId)
    const answered = await replies
    expect(answered.map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect(answered.every((r) => Number(r.headers[COLD_START]) >= 0)).toBe(true)
    expect(agent.wakeCalls).toBe(1)
    expect((await edge.gate('alone-cold')).phase).toBe('warm')
  })

  it('refuses past the rate limit with 429 through the TENANT_RATE_LIMIT binding', async () => {
    platform.addAgent({ slug: 'alone-limited', visibility: 'public', running: true })
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) statuses.push((await edgeRequest(edge.url, 'alone-limited.localhost', '/')).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])
  })
})
