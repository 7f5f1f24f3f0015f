// The edge Worker (wrangler.toml, in workerd) in front of the real cluster-api on a real PostgreSQL and a real
// origin process: an API key needs the chat scope to talk to a superfriend, and each tenant has its own rate
// limit for its own traffic, apart from the allowance of each outside client (the Workers Rate Limiting binding
// as Miniflare runs it). Keys are made the way users make them, through
// /v1. Only the workload driver (what would start a pod) is a stand-in: it marks the agent running at the origin.

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { unstable_readConfig } from 'wrangler'
import type { WorkloadStatus } from '../../wire/internal-api.ts'
import { usagePerDay } from '../../cluster-api/src/db/queries/usage.ts'
import type { WorkloadDriver } from '../../cluster-api/src/drivers/types.ts'
import { DEV_KEY_SCOPES } from '../../scripts/seed.ts'
import { RATE_LIMIT_PERIOD_SECONDS } from '../../edge/src/settings.ts'
import { createOwner, createTestAgent, startTestApi, TEST_SIGNING_SECRET, type TestApi } from '../api/support/harness.ts'
import { edgeRequest, json, type EdgeReply } from './support/edge-client.ts'
import { startEdgeWorker } from './support/edge-worker.ts'
import { startFakePlatform, type FakeAgent, type FakePlatform } from './support/fake-platform.ts'

const root = join(import.meta.dirname, '..', '..')
/** This Worker's limit per key (a tenant's own traffic, or one outside client) per minute (wrangler.toml: 2,000 per 10 s). */
const LIMIT = 5
const PERIOD_SECONDS = 60 as const
const PERIOD_MS = PERIOD_SECONDS * 1000

/** A workload driver whose "pods" are the origin's agents: a wake marks the agent running there. */
function originDriver(origin: FakePlatform, originAgentOf: Map<string, FakeAgent>) {
  const status = (agentId: string): WorkloadStatus => {
    const running = originAgentOf.get(agentId)?.running ?? false
    return { agentId, state: running ? 'ready' : 'cold', ready: running, replicas: running ? 1 : 0 }
  }
  const driver: WorkloadDriver & { wakes: string[] } = {
    name: 'local',
    wakes: [],
    async ensure() {},
    async remove() {},
    async wake(agentId) {
      driver.wakes.push(agentId)
      const originAgent = originAgentOf.get(agentId)
      if (originAgent) setTimeout(() => origin.markReady(originAgent.agentId), 50)
      return { ...status(agentId), state: 'waking' }
    },
    async status(agentId) {
      return status(agentId)
    },
    async touch() {},
    async list() {
      return []
    },
    async close() {},
  }
  return driver
}

/** The Worker from wrangler.toml with its TENANT_RATE_LIMIT binding replaced by a small one a test can reach. */
const startEdge = (clusterUrl: string, originUrl: string) => startEdgeWorker({
  clusterUrl, originUrl, secret: TEST_SIGNING_SECRET, vars: { USAGE_FLUSH_INTERVAL_MS: '200' },
  rateLimit: { limit: LIMIT, periodSeconds: PERIOD_SECONDS },
})

let api: TestApi
let origin: FakePlatform
let edge: Awaited<ReturnType<typeof startEdge>>
let driver: ReturnType<typeof originDriver>
const originAgentOf = new Map<string, FakeAgent>()

beforeAll(async () => {
  origin = await startFakePlatform(TEST_SIGNING_SECRET)
  driver = originDriver(origin, originAgentOf)
  api = await startTestApi({
    driver,
    // The agent never runs here, so its database is never opened: any URL will do.
    tenantDatabases: (database) => ({ name: 'postgres', provision: async () => database.url, drop: async () => {} }),
  })
  edge = await startEdge(api.url, origin.originUrl)
}, 120_000)

afterAll(async () => {
  await edge?.dispose()
  await api?.close()
  await origin?.close()
})

/** A tenant with one superfriend, made through /v1 as a user would, and its stand-in at the origin. */
async function tenantWithAgent(name: string, visibility: 'private' | 'public' = 'private') {
  const owner = await createOwner(api, name)
  const agent = await createTestAgent(api, owner.token, `${name}-sf`, { visibility })
  const originAgent = origin.addAgent({ slug: agent.slug, agentId: `origin-${agent.id}`, tenantId: owner.tenantId, wakeDelayMs: null })
  originAgentOf.set(agent.id, originAgent)
  return { owner, agent, originAgent, host: `${agent.slug}.localhost` }
}

async function createKey(token: string, body: { name: string; scopes?: string[] }): Promise<{ id: string; key: string; scopes: string[] }> {
  const response = await api.v1('POST', '/v1/api-keys', { token, body })
  expect(response.status).toBe(201)
  return (await response.json()) as { id: string; key: string; scopes: string[] }
}

const chat = (host: string, key: string) =>
  edgeRequest(edge.url, host, '/v1/chat', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"message":"hi"}' })

function expectProblem(reply: EdgeReply, status: number, code: string) {
  expect(reply.status).toBe(status)
  expect(reply.headers['content-type']).toBe('application/problem+json')
  expect(json(reply)).toMatchObject({ status, code, type: `https://myintell.ai/problems/${code}` })
}

describe('API-key scopes at the edge', () => {
  it('refuses a key without the chat scope with 403 and wakes, forwards and counts nothing; a chat key is served', async () => {
    const { owner, agent, originAgent, host } = await tenantWithAgent('scoped')
    const everythingButChat = await createKey(owner.token, { name: 'ops', scopes: ['agents:read', 'agents:write', 'api-keys:write', 'usage:read'] })

    for (const reply of [await chat(host, everythingButChat.key), await edgeRequest(edge.url, host, '/', { headers: { authorization: `Bearer ${everythingButChat.key}` } })]) {
      expectProblem(reply, 403, 'insufficient-scope')
      expect(json(reply)).toMatchObject({ requiredScope: 'chat', title: 'This API key lacks the "chat" scope' })
      expect(reply.headers['www-authenticate']).toContain('insufficient_scope')
    }
    expect(driver.wakes).not.toContain(agent.id)
    expect(originAgent.served).toBe(0)

    // What the CLI (`myintell keys create`) and the dashboard create when no scope is chosen: chat, agents:read.
    const byDefault = await createKey(owner.token, { name: 'default' })
    expect(byDefault.scopes).toContain('chat')
    const served = await chat(host, byDefault.key)
    expect(served.status).toBe(200)
    expect(json(served)).toMatchObject({ agent: agent.slug, agentId: agent.id, tenantId: owner.tenantId })
    expect(driver.wakes.filter((id) => id === agent.id)).toHaveLength(1)
    expect(originAgent.served).toBe(1)

    // Usage lands once, for the one request that got through; the refused ones were never counted.
    const today = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000), agentId: agent.id }
    await vi.waitFor(async () => expect((await usagePerDay(api.db, owner.tenantId, today))[0]?.requests).toBeGreaterThan(0), { timeout: 15_000, interval: 100 })
    expect((await usagePerDay(api.db, owner.tenantId, today)).reduce((n, d) => n + d.requests, 0)).toBe(1)
  }, 60_000)

  it('serves the key npm start seeds (every scope)', async () => {
    const { owner, host } = await tenantWithAgent('seeded')
    const dev = await createKey(owner.token, { name: 'dev (npm start)', scopes: DEV_KEY_SCOPES })
    expect((await chat(host, dev.key)).status).toBe(200)
  }, 30_000)

  it('refuses a revoked key with 401 and forwards nothing', async () => {
    const { owner, originAgent, host } = await tenantWithAgent('revoked')
    const key = await createKey(owner.token, { name: 'soon gone', scopes: ['chat'] })
    expect((await api.v1('DELETE', `/v1/api-keys/${key.id}`, { token: owner.token })).status).toBe(200)
    expectProblem(await chat(host, key.key), 401, 'invalid-credentials')
    expect(originAgent.served).toBe(0)
  }, 30_000)

  it('refuses a chat key of another tenant with 403 forbidden', async () => {
    const { originAgent, host } = await tenantWithAgent('guarded')
    const stranger = await createOwner(api, 'stranger')
    const key = await createKey(stranger.token, { name: 'theirs', scopes: ['chat'] })
    expectProblem(await chat(host, key.key), 403, 'forbidden')
    expect(originAgent.served).toBe(0)
  }, 30_000)
})

/** Miniflare's windows are fixed and aligned to the clock: this one's number. */
const windowOf = (at: number) => Math.floor(at / PERIOD_MS)

/** Waits for the next window when this one ends within `marginMs`, so a burst starting now rarely spans two. */
async function awayFromWindowEnd(marginMs = 20_000) {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS)
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 100))
}

/** Calls until the first 429; 2 × LIMIT + 1 calls put more than LIMIT into one of at most two windows. */
async function untilRefused(call: (i: number) => Promise<EdgeReply>) {
  const replies: EdgeReply[] = []
  let lastSentAt = 0
  for (let i = 0; i < 2 * LIMIT + 1 && !replies.some((r) => r.status === 429); i++) {
    lastSentAt = Date.now()
    replies.push(await call(i))
  }
  const refused = replies.at(-1)!
  expectProblem(refused, 429, 'rate-limited')
  expect(refused.headers['retry-after']).toBe(String(PERIOD_SECONDS))
  expect(replies.slice(0, LIMIT).every((r) => r.status === 200)).toBe(true)
  return { replies, refusedSentAt: lastSentAt }
}

/** A call after a refusal is refused too, unless a new window began since the refused call was sent. */
async function expectStillRefused(refusedSentAt: number, call: () => Promise<EdgeReply>) {
  const reply = await call()
  if (windowOf(Date.now()) === windowOf(refusedSentAt)) expectProblem(reply, 429, 'rate-limited')
  else expect([200, 429]).toContain(reply.status)
}

const fromClient = (ip: string) => ({ headers: { 'cf-connecting-ip': ip } })

describe('rate limit per tenant', () => {
  it('answers a tenant past its limit with 429 and Retry-After, forwards nothing more, and still serves another tenant and outsiders', async () => {
    const busy = await tenantWithAgent('busy', 'public')
    const calm = await tenantWithAgent('calm', 'public')
    const own = await createKey(busy.owner.token, { name: 'own traffic' })
    await awayFromWindowEnd()
    const { replies, refusedSentAt } = await untilRefused(() => chat(busy.host, own.key))
    expect(busy.originAgent.served).toBe(replies.filter((r) => r.status === 200).length)

    await expectStillRefused(refusedSentAt, () => chat(busy.host, own.key))
    const other = await edgeRequest(edge.url, calm.host, '/')
    expect(other.status).toBe(200)
    expect(json(other)).toMatchObject({ tenantId: calm.owner.tenantId })
    // The tenant's own traffic spends its own budget, not that of the callers of its public agent.
    expect((await edgeRequest(edge.url, busy.host, '/from-outside', fromClient('198.51.100.1'))).status).toBe(200)
  }, 90_000)

  it("refuses an anonymous flood of a tenant's public agent per client, and still serves the tenant's own key and other clients", async () => {
    const popular = await tenantWithAgent('popular', 'public')
    const own = await createKey(popular.owner.token, { name: 'own traffic' })
    await awayFromWindowEnd()
    const flooder = fromClient('203.0.113.7')
    const { refusedSentAt } = await untilRefused((i) => edgeRequest(edge.url, popular.host, `/flood/${i}`, flooder))
    await expectStillRefused(refusedSentAt, () => edgeRequest(edge.url, popular.host, '/again', flooder))

    const ownReply = await chat(popular.host, own.key)
    expect(ownReply.status).toBe(200)
    expect(json(ownReply)).toMatchObject({ tenantId: popular.owner.tenantId })
    expect((await edgeRequest(edge.url, popular.host, '/', fromClient('198.51.100.2'))).status).toBe(200)
  }, 90_000)
})

describe('wrangler.toml', () => {
  it('declares the tenant rate limit in every environment, with RATE_LIMIT_PERIOD_SECONDS equal to its period', () => {
    for (const env of [undefined, 'production']) {
      const config = unstable_readConfig({ config: join(root, 'wrangler.toml'), env }, { hideWarnings: true })
      const binding = (config.ratelimits as Array<{ name: string; simple: { period: number } }>).find((r) => r.name === 'TENANT_RATE_LIMIT')
      expect(binding, `TENANT_RATE_LIMIT in ${env ?? 'the default environment'}`).toBeDefined()
      expect([10, 60]).toContain(binding!.simple.period)
      expect(config.vars.RATE_LIMIT_PERIOD_SECONDS).toBe(String(binding!.simple.period))
      expect(config.vars.RATE_LIMIT).toBe('on')
      // The edge's default window, used when the var is unset, must be the binding's too.
      expect(RATE_LIMIT_PERIOD_SECONDS).toBe(binding!.simple.period)
    }
  })
})
