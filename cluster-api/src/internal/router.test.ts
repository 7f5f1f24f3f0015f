import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { INTERNAL_PATHS, type IngestItem, type RouteInfo, type WorkloadStatus } from '../../../wire/internal-api.ts'
import { EDGE_SIGNATURE } from '../../../wire/headers.ts'
import { MAX_SIGNATURE_AGE_MS, signHeaders } from '../../../wire/signature.ts'
import { agentSecret, nodeBodyDigest } from '../../../wire/node-hmac.ts'
import { createOwner, createTestAgent, startTestApi, TEST_EDGE_KEY, TEST_SIGNING_SECRET, type TestApi } from '../../../test/api/support/harness.ts'
import { createRecordingDriver, type RecordingDriver } from '../../../test/api/support/recording-driver.ts'
import type { TenantDatabaseProvisioner } from '../tenant-db/types.ts'

const SCALER_TOKEN = 'scaler-token-0123456789'
let api: TestApi
let driver: RecordingDriver
const provisioned: string[] = []
// Counts provisioning calls; the real provisioners are tested in cluster-api/src/tenant-db.
const tenantDatabases: TenantDatabaseProvisioner = {
  name: 'postgres',
  async provision(tenant) {
    provisioned.push(tenant.id)
    return `postgres://tenant:secret@127.0.0.1:5432/tenant_${tenant.slug}`
  },
  async drop() {},
}
let owner: { token: string; tenantId: string; userId: string }
let ada: { id: string; tenantId: string; slug: string }

beforeAll(async () => {
  driver = createRecordingDriver()
  api = await startTestApi({ driver, tenantDatabases, scalerToken: SCALER_TOKEN, idleTimeoutMs: 60_000 })
  owner = await createOwner(api, 'internal')
  ada = await createTestAgent(api, owner.token, 'ada-internal', { visibility: 'public', persona: { systemPrompt: 'Be kind.', style: 'warm' } })
})
afterAll(async () => {
  await api.close()
  expect(driver.closed).toBe(true)
})

function item(overrides: Partial<IngestItem> = {}): IngestItem {
  const from = Date.UTC(2025, 0, 15, 8, 10)
  return {
    agentId: ada.id, tenantId: ada.tenantId, from, to: from + 10_000, requests: 3, bytesIn: 100, bytesOut: 2000, wakes: 1,
    coldStartMs: 900, tokensIn: 10, tokensOut: 20, activeSeconds: 10, openStreams: 0, ...overrides,
  }
}

describe('internal API signature check', () => {
  it('refuses an unsigned request with 401 problem+json', async () => {
    const response = await fetch(`${api.url}${INTERNAL_PATHS.route(ada.slug)}`)
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.json()).toMatchObject({ code: 'invalid-edge-signature', reason: 'missing' })
  })

  it('refuses a request signed with another secret', async () => {
    const response = await api.internal('GET', INTERNAL_PATHS.route(ada.slug), undefined, { secret: 'another-secret-another-secret-0123456789' })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ reason: 'bad-signature' })
  })

  it('refuses a stale signature', async () => {
    const response = await api.internal('GET', INTERNAL_PATHS.route(ada.slug), undefined, { now: Date.now() - MAX_SIGNATURE_AGE_MS - 5_000 })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ reason: 'stale' })
  })

  it('refuses a signature for another path (replayed onto a different endpoint)', async () => {
    const good = new Headers()
    const { signHeaders } = await import('../../../wire/signature.ts')
    await signHeaders(good, { method: 'GET', host: 'api.myintell.ai', path: INTERNAL_PATHS.route(ada.slug) }, TEST_EDGE_KEY)
    const response = await fetch(`${api.url}${INTERNAL_PATHS.userTenants(owner.userId)}`, { headers: good })
    expect(response.status).toBe(401)
  })

  it('refuses a tampered signature value', async () => {
    const response = await api.internal('GET', INTERNAL_PATHS.route(ada.slug), undefined, { headers: {} })
    expect(response.status).toBe(200)
    const headers = new Headers()
    const { signHeaders } = await import('../../../wire/signature.ts')
    await signHeaders(headers, { method: 'GET', host: 'api.myintell.ai', path: INTERNAL_PATHS.route(ada.slug) }, TEST_EDGE_KEY)
    headers.set(EDGE_SIGNATURE, `v1=${'0'.repeat(64)}`)
    expect((await fetch(`${api.url}${INTERNAL_PATHS.route(ada.slug)}`, { headers })).status).toBe(401)
  })
})

describe('who may sign internal calls', () => {
  it('accepts only the edge\'s own key: neither the master secret nor any agent\'s key opens the internal API', async () => {
    expect((await api.internal('GET', INTERNAL_PATHS.route(ada.slug))).status).toBe(200)
    for (const secret of [TEST_SIGNING_SECRET, agentSecret(TEST_SIGNING_SECRET, ada.id)]) {
      const response = await api.internal('GET', INTERNAL_PATHS.route(ada.slug), undefined, { secret })
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ reason: 'bad-signature' })
      const woken = await api.internal('POST', INTERNAL_PATHS.wake(ada.id), undefined, { secret })
      expect(woken.status).toBe(401)
    }
  })

  it('refuses a captured request sent again, and the same headers with another body', async () => {
    const path = INTERNAL_PATHS.verifyKey
    const body = new TextEncoder().encode(JSON.stringify({ key: `mi_abcdefghijkl_${'x'.repeat(43)}` }))
    const headers = new Headers({ 'content-type': 'application/json' })
    await signHeaders(headers, { method: 'POST', host: 'api.myintell.ai', path, body: { kind: 'digest', digest: nodeBodyDigest(body) } }, TEST_EDGE_KEY)
    const swapped = await fetch(`${api.url}${path}`, { method: 'POST', headers, body: JSON.stringify({ key: 'mi_other' }) })
    expect(swapped.status).toBe(401)
    expect(await swapped.json()).toMatchObject({ reason: 'body-mismatch' })
    // The swap above used the nonce up: the very same request is now a replay.
    const again = await fetch(`${api.url}${path}`, { method: 'POST', headers, body })
    expect(again.status).toBe(401)
    expect(await again.json()).toMatchObject({ reason: 'replayed' })
  })

  it('lets a runtime report tokens for its own agent only, with its own key', async () => {
    const other = await createTestAgent(api, owner.token, 'bob-internal')
    const batch = (batchId: string) => ({ batchId, items: [{ from: Date.UTC(2025, 0, 16, 8), to: Date.UTC(2025, 0, 16, 8, 0, 5), tokensIn: 7, tokensOut: 9, openStreams: 0 }] })
    const own = await api.internal('POST', INTERNAL_PATHS.runtimeUsage(ada.id), batch('r1'), { secret: agentSecret(TEST_SIGNING_SECRET, ada.id) })
    expect(own.status).toBe(202)
    expect(await own.json()).toEqual({ accepted: 1, duplicate: false })
    const foreign = await api.internal('POST', INTERNAL_PATHS.runtimeUsage(other.id), batch('r2'), { secret: agentSecret(TEST_SIGNING_SECRET, ada.id) })
    expect(foreign.status).toBe(401)
    // Nor may a runtime use the edge's ingest, which takes any agent's counts.
    const edgeIngest = await api.internal('POST', INTERNAL_PATHS.ingest, { batchId: 'r3', items: [item({ agentId: other.id })] }, { secret: agentSecret(TEST_SIGNING_SECRET, ada.id) })
    expect(edgeIngest.status).toBe(401)
    // A runtime's batch id never collides with (and so never suppresses) an edge batch of the same id.
    expect(await (await api.internal('POST', INTERNAL_PATHS.ingest, { batchId: 'r1', items: [item({ from: Date.UTC(2025, 0, 17), to: Date.UTC(2025, 0, 17, 0, 0, 1) })] })).json()).toEqual({ accepted: 1, duplicate: false })
  })
})

describe('route lookup', () => {
  it('answers the route of a slug', async () => {
    const response = await api.internal('GET', INTERNAL_PATHS.route(ada.slug))
    expect(response.status).toBe(200)
    const route = (await response.json()) as RouteInfo
    expect(route).toEqual({ slug: ada.slug, agentId: ada.id, tenantId: owner.tenantId, visibility: 'public', state: 'cold' })
  })

  it('answers 404 problem for an unknown slug', async () => {
    const response = await api.internal('GET', INTERNAL_PATHS.route('nobody-here'))
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ code: 'not-found' })
  })

  it('answers 404 problem for a slug that breaks the slug rules', async () => {
    for (const slug of ['ADA-INTERNAL', 'api', '-ada', 'x'.repeat(41), 'ada%20internal']) {
      const response = await api.internal('GET', `/internal/v1/routes/${slug}`)
      expect(response.status, slug).toBe(404)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
    }
  })

  it('answers a GET that carries a body like any other (the body is ignored)', async () => {
    const headers = new Headers({ 'content-length': '2' })
    const { signHeaders } = await import('../../../wire/signature.ts')
    await signHeaders(headers, { method: 'GET', host: 'api.myintell.ai', path: INTERNAL_PATHS.route(ada.slug) }, TEST_EDGE_KEY)
    const { request } = await import('node:http')
    const url = new URL(api.url)
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: INTERNAL_PATHS.route(ada.slug), headers: Object.fromEntries(headers) }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', reject)
      req.end('{}')
    })
    expect(status).toBe(200)
  })
})

describe('API key verification and user tenants', () => {
  it('verifies an active key and refuses it once revoked', async () => {
    const created = await api.v1('POST', '/v1/api-keys', { token: owner.token, body: { name: 'edge test', scopes: ['chat'] } })
    const key = (await created.json()) as { id: string; key: string }
    const ok = await api.internal('POST', INTERNAL_PATHS.verifyKey, { key: key.key })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ keyId: key.id, tenantId: owner.tenantId, scopes: ['chat'] })
    await api.v1('DELETE', `/v1/api-keys/${key.id}`, { token: owner.token })
    const revoked = await api.internal('POST', INTERNAL_PATHS.verifyKey, { key: key.key })
    expect(revoked.status).toBe(401)
    expect(await revoked.json()).toMatchObject({ code: 'invalid-api-key' })
  })

  it('refuses an unknown key and a malformed body', async () => {
    expect((await api.internal('POST', INTERNAL_PATHS.verifyKey, { key: `mi_abcdefghijkl_${'x'.repeat(43)}` })).status).toBe(401)
    expect((await api.internal('POST', INTERNAL_PATHS.verifyKey, { key: 42 })).status).toBe(422)
  })

  it('lists the tenants of a user', async () => {
    const response = await api.internal('GET', INTERNAL_PATHS.userTenants(owner.userId))
    expect(await response.json()).toEqual({ userId: owner.userId, tenantIds: [owner.tenantId] })
    const stranger = await api.internal('GET', INTERNAL_PATHS.userTenants('user_nobody'))
    expect(await stranger.json()).toEqual({ userId: 'user_nobody', tenantIds: [] })
  })
})

describe('wake and status', () => {
  it('wakes an agent: ensures it with a full RuntimeConfig, then wakes it; the tenant database is provisioned once', async () => {
    const before = driver.calls.length
    const [first, second] = await Promise.all([
      api.internal('POST', INTERNAL_PATHS.wake(ada.id)),
      api.internal('POST', INTERNAL_PATHS.wake(ada.id)),
    ])
    expect(first.status).toBe(202)
    expect(second.status).toBe(202)
    expect((await first.json()) as WorkloadStatus).toMatchObject({ agentId: ada.id, state: 'waking', ready: false })
    const ensure = driver.calls.slice(before).find((call) => call.op === 'ensure')
    expect(ensure?.spec).toMatchObject({
      agentId: ada.id, slug: ada.slug, tenantId: owner.tenantId, tenantSlug: 'internal-tenant', visibility: 'public',
      persona: { systemPrompt: 'Be kind.', style: 'warm' }, tenantDatabaseUrl: 'postgres://tenant:secret@127.0.0.1:5432/tenant_internal-tenant',
    })
    await api.internal('POST', INTERNAL_PATHS.wake(ada.id))
    expect(provisioned.filter((id) => id === owner.tenantId)).toHaveLength(1)
    const route = (await (await api.internal('GET', INTERNAL_PATHS.route(ada.slug))).json()) as RouteInfo
    expect(route.state).toBe('waking')
  })

  it('answers status at once without waitMs, and holds a long poll until ready', async () => {
    const now = (await (await api.internal('GET', INTERNAL_PATHS.status(ada.id))).json()) as WorkloadStatus
    expect(now.ready).toBe(false)
    const polling = api.internal('GET', `${INTERNAL_PATHS.status(ada.id)}?waitMs=10000`)
    setTimeout(() => driver.markReady(ada.id), 300)
    const ready = (await (await polling).json()) as WorkloadStatus
    expect(ready).toMatchObject({ state: 'ready', ready: true })
    const route = (await (await api.internal('GET', INTERNAL_PATHS.route(ada.slug))).json()) as RouteInfo
    expect(route.state).toBe('ready')
  })

  it('polls a driver that does not announce readiness', async () => {
    const agent = await createTestAgent(api, owner.token, 'polled-internal')
    await api.internal('POST', INTERNAL_PATHS.wake(agent.id))
    const before = driver.calls.length
    const statusCalls = () => driver.calls.slice(before).filter((call) => call.op === 'status' && call.agentId === agent.id).length
    const polling = api.internal('GET', `${INTERNAL_PATHS.status(agent.id)}?waitMs=10000`)
    await vi.waitFor(() => expect(statusCalls()).toBeGreaterThanOrEqual(1), { timeout: 10_000 })
    setTimeout(() => driver.markReady(agent.id), 350)
    expect(((await (await polling).json()) as WorkloadStatus).ready).toBe(true)
    // Asked at once, then every STATUS_POLL_INTERVAL_MS until ready.
    expect(driver.calls.slice(before).filter((call) => call.op === 'status' && call.agentId === agent.id).length).toBeGreaterThanOrEqual(3)
  })

  it('refuses a malformed waitMs and an unknown agent', async () => {
    expect((await api.internal('GET', `${INTERNAL_PATHS.status(ada.id)}?waitMs=soon`)).status).toBe(422)
    expect((await api.internal('POST', INTERNAL_PATHS.wake('00000000-0000-7000-8000-000000000000'))).status).toBe(404)
    expect((await api.internal('POST', INTERNAL_PATHS.wake('not-an-id'))).status).toBe(404)
  })

  it('refuses to wake a paused agent', async () => {
    const paused = await createTestAgent(api, owner.token, 'paused-one', { desiredState: 'paused' })
    const response = await api.internal('POST', INTERNAL_PATHS.wake(paused.id))
    expect(response.status).toBe(409)
    expect(await response.json()).toMatchObject({ code: 'agent-paused' })
  })
})

describe('ingest', () => {
  it('counts a batch once even when it is sent twice', async () => {
    const batch = { batchId: 'batch-once-1', items: [item(), item({ requests: 2, from: Date.UTC(2025, 0, 15, 8, 40), to: Date.UTC(2025, 0, 15, 8, 41) })] }
    const first = await api.internal('POST', INTERNAL_PATHS.ingest, batch)
    expect(first.status).toBe(202)
    expect(await first.json()).toEqual({ accepted: 2, duplicate: false })
    const again = await api.internal('POST', INTERNAL_PATHS.ingest, batch)
    expect(await again.json()).toEqual({ accepted: 0, duplicate: true })
    const usage = await api.v1('GET', `/v1/usage?from=2025-01-15&to=2025-01-16&agentId=${ada.id}`, { token: owner.token })
    const body = (await usage.json()) as { days: Array<{ day: string; requests: number; wakes: number }>; totals: { requests: number } }
    expect(body.days).toEqual([expect.objectContaining({ day: '2025-01-15', requests: 5, wakes: 2 })])
    expect(body.totals.requests).toBe(5)
  })

  it('updates last activity and touches the driver', async () => {
    const to = Date.now()
    await api.internal('POST', INTERNAL_PATHS.ingest, { batchId: 'batch-touch', items: [item({ from: to - 1000, to, openStreams: 2 })] })
    expect(driver.calls).toContainEqual({ op: 'touch', agentId: ada.id, at: to, openStreams: 2 })
    const agent = (await (await api.v1('GET', `/v1/agents/${ada.id}`, { token: owner.token })).json()) as { lastActiveAt: string }
    expect(agent.lastActiveAt).toBe(new Date(to).toISOString())
  })

  it('drops items that name an agent of another tenant', async () => {
    const other = await createOwner(api, 'ingest-other')
    const response = await api.internal('POST', INTERNAL_PATHS.ingest, { batchId: 'batch-misattributed', items: [item({ tenantId: other.tenantId })] })
    expect(await response.json()).toEqual({ accepted: 0, duplicate: false })
  })

  it('refuses a malformed batch and changes nothing', async () => {
    const bad = await api.internal('POST', INTERNAL_PATHS.ingest, { batchId: 'batch-bad', items: [{ ...item(), requests: -1 }] })
    expect(bad.status).toBe(422)
    const extra = await api.internal('POST', INTERNAL_PATHS.ingest, { batchId: 'batch-bad', items: [], surprise: true })
    expect(extra.status).toBe(422)
    // The refused batch id was not consumed: a correct batch with it is still accepted.
    const good = await api.internal('POST', INTERNAL_PATHS.ingest, { batchId: 'batch-bad', items: [] })
    expect(await good.json()).toEqual({ accepted: 0, duplicate: false })
  })
})

describe('scaling endpoint', () => {
  it('reports active while the agent had recent activity or open streams, with the scaler token', async () => {
    const response = await fetch(`${api.url}${INTERNAL_PATHS.scaling(ada.id)}`, { headers: { authorization: `Bearer ${SCALER_TOKEN}` } })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ agentId: ada.id, active: 1, openStreams: 2 })
  })

  it('reports inactive for an agent that never woke nor saw activity', async () => {
    const idle = await createTestAgent(api, owner.token, 'idle-one')
    const response = await api.internal('GET', INTERNAL_PATHS.scaling(idle.id))
    expect(await response.json()).toMatchObject({ active: 0, openStreams: 0, lastActiveAt: null })
  })

  it('refuses a wrong scaler token, and the scaler token on other internal endpoints', async () => {
    expect((await fetch(`${api.url}${INTERNAL_PATHS.scaling(ada.id)}`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401)
    expect((await fetch(`${api.url}${INTERNAL_PATHS.route(ada.slug)}`, { headers: { authorization: `Bearer ${SCALER_TOKEN}` } })).status).toBe(401)
  })
})

/**
 * A status long poll on an agent woken through its own API over `own` (a RecordingDriver): the driver calls the
 * poll made for that agent, as they come.
 */
async function longPollOn(own: RecordingDriver, name: string) {
  const platform = await startTestApi({ driver: own, tenantDatabases })
  const o = await createOwner(platform, name)
  const agent = await createTestAgent(platform, o.token, `${name}-agent`)
  expect((await platform.internal('POST', INTERNAL_PATHS.wake(agent.id))).status).toBe(202)
  const before = own.calls.length
  const polling = platform.internal('GET', `${INTERNAL_PATHS.status(agent.id)}?waitMs=10000`)
  return {
    agent,
    ops: () => own.calls.slice(before).filter((call) => call.agentId === agent.id).map((call) => call.op),
    answer: async () => (await (await polling).json()) as WorkloadStatus,
    close: () => platform.close(),
  }
}

describe('a driver that announces readiness', () => {
  it('answers a status long poll the moment the agent is ready, without polling the driver', async () => {
    const announcing = createRecordingDriver({ announcesReadiness: true })
    const poll = await longPollOn(announcing, 'announcing')
    try {
      await vi.waitFor(() => expect(poll.ops()).toContain('waitUntilReady'), { timeout: 10_000 })
      setTimeout(() => announcing.markReady(poll.agent.id), 50)
      expect((await poll.answer()).ready).toBe(true)
      expect(poll.ops()).toEqual(['status', 'waitUntilReady', 'status'])
    } finally {
      await poll.close()
    }
  })

  it('asks a driver that refuses to wait once, then polls it like a driver without announcements', async () => {
    const refusing = createRecordingDriver({ announcesReadiness: true })
    refusing.waitUntilReady = async (agentId) => {
      refusing.calls.push({ op: 'waitUntilReady', agentId })
      throw new Error('watch forbidden')
    }
    const poll = await longPollOn(refusing, 'refusing')
    try {
      await vi.waitFor(() => expect(poll.ops().filter((op) => op === 'status').length).toBeGreaterThanOrEqual(3), { timeout: 10_000 })
      refusing.markReady(poll.agent.id)
      expect((await poll.answer()).ready).toBe(true)
      expect(poll.ops().filter((op) => op === 'waitUntilReady')).toHaveLength(1)
    } finally {
      await poll.close()
    }
  })
})

describe('without a workload driver', () => {
  it('answers wake and status with 503 driver-unavailable and Retry-After', async () => {
    const bare = await startTestApi()
    try {
      const o = await createOwner(bare, 'nodriver')
      const agent = await createTestAgent(bare, o.token, 'no-driver-agent')
      const wake = await bare.internal('POST', INTERNAL_PATHS.wake(agent.id))
      expect(wake.status).toBe(503)
      expect(wake.headers.get('retry-after')).toBe('30')
      expect(await wake.json()).toMatchObject({ code: 'driver-unavailable' })
      expect((await bare.internal('GET', INTERNAL_PATHS.status(agent.id))).status).toBe(503)
    } finally {
      await bare.close()
    }
  })
})

describe('activity from a clock running ahead', () => {
  it('never records activity later than the time the batch arrived', async () => {
    const future = Date.now() + 3_600_000
    const ahead = await createTestAgent(api, owner.token, 'clock-ahead')
    const item = { agentId: ahead.id, tenantId: ahead.tenantId, from: future - 1000, to: future, requests: 1, bytesIn: 0, bytesOut: 0, wakes: 0, coldStartMs: 0, tokensIn: 0, tokensOut: 0, activeSeconds: 1, openStreams: 0 }
    await api.internal('POST', INTERNAL_PATHS.ingest, { batchId: 'batch-future', items: [item] })
    const agent = (await (await api.v1('GET', `/v1/agents/${ahead.id}`, { token: owner.token })).json()) as { lastActiveAt: string }
    expect(new Date(agent.lastActiveAt).getTime()).toBeLessThanOrEqual(Date.now())
  })
})
