// Tenant isolation: tenant B, with a user token and with an all-scopes API key, tries every /v1
// endpoint against tenant A's resources. Each attempt answers 404 (revealing nothing) and changes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOwner, createTestAgent, startTestApi, type TestApi } from './support/harness.ts'
import { waitForRun } from './support/runs.ts'

let api: TestApi
let a: { token: string; tenantId: string; agentId: string; keyId: string; key: string; runId: string; scheduleId: string }
let b: { token: string; tenantId: string; agentId: string; key: string }
const MISSING_ID = '01890000-0000-7000-8000-000000000000'

interface Attempt {
  method: string
  /** OpenAPI path template this attempt covers. */
  route: string
  path: () => string
  body?: unknown
  asTenantA?: boolean
}

const attempts: Attempt[] = [
  { method: 'GET', route: '/v1/tenants/{id}', path: () => `/v1/tenants/${a.tenantId}` },
  { method: 'PATCH', route: '/v1/tenants/{id}', path: () => `/v1/tenants/${a.tenantId}`, body: { name: 'pwned' } },
  { method: 'GET', route: '/v1/agents', path: () => '/v1/agents', asTenantA: true },
  { method: 'POST', route: '/v1/agents', path: () => '/v1/agents', body: { slug: 'planted-agent', name: 'planted' }, asTenantA: true },
  { method: 'GET', route: '/v1/agents/{id}', path: () => `/v1/agents/${a.agentId}` },
  { method: 'GET', route: '/v1/agents/{id}', path: () => `/v1/agents/${a.agentId}`, asTenantA: true },
  { method: 'PATCH', route: '/v1/agents/{id}', path: () => `/v1/agents/${a.agentId}`, body: { name: 'pwned', visibility: 'public' } },
  { method: 'PATCH', route: '/v1/agents/{id}', path: () => `/v1/agents/${a.agentId}`, body: { name: 'pwned' }, asTenantA: true },
  { method: 'DELETE', route: '/v1/agents/{id}', path: () => `/v1/agents/${a.agentId}` },
  { method: 'DELETE', route: '/v1/agents/{id}', path: () => `/v1/agents/${a.agentId}`, asTenantA: true },
  { method: 'PUT', route: '/v1/agents/{id}/secrets/{name}', path: () => `/v1/agents/${a.agentId}/secrets/PLANTED`, body: { value: 'x' } },
  { method: 'PUT', route: '/v1/agents/{id}/secrets/{name}', path: () => `/v1/agents/${a.agentId}/secrets/A_SECRET`, body: { value: 'x' }, asTenantA: true },
  { method: 'GET', route: '/v1/agents/{id}/secrets', path: () => `/v1/agents/${a.agentId}/secrets` },
  { method: 'GET', route: '/v1/agents/{id}/secrets', path: () => `/v1/agents/${a.agentId}/secrets`, asTenantA: true },
  { method: 'DELETE', route: '/v1/agents/{id}/secrets/{name}', path: () => `/v1/agents/${a.agentId}/secrets/A_SECRET` },
  { method: 'DELETE', route: '/v1/agents/{id}/secrets/{name}', path: () => `/v1/agents/${a.agentId}/secrets/A_SECRET`, asTenantA: true },
  { method: 'POST', route: '/v1/agents/{id}/runs', path: () => `/v1/agents/${a.agentId}/runs`, body: { input: 'planted' } },
  { method: 'POST', route: '/v1/agents/{id}/runs', path: () => `/v1/agents/${a.agentId}/runs`, body: { input: 'planted' }, asTenantA: true },
  { method: 'GET', route: '/v1/agents/{id}/runs', path: () => `/v1/agents/${a.agentId}/runs` },
  { method: 'GET', route: '/v1/agents/{id}/runs/{runId}', path: () => `/v1/agents/${a.agentId}/runs/${a.runId}` },
  { method: 'GET', route: '/v1/agents/{id}/runs/{runId}', path: () => `/v1/agents/${b.agentId}/runs/${a.runId}` },
  { method: 'POST', route: '/v1/agents/{id}/runs/{runId}/cancel', path: () => `/v1/agents/${a.agentId}/runs/${a.runId}/cancel` },
  { method: 'POST', route: '/v1/agents/{id}/runs/{runId}/cancel', path: () => `/v1/agents/${b.agentId}/runs/${a.runId}/cancel` },
  { method: 'GET', route: '/v1/agents/{id}/runs/{runId}/events', path: () => `/v1/agents/${a.agentId}/runs/${a.runId}/events` },
  { method: 'GET', route: '/v1/agents/{id}/runs/{runId}/events', path: () => `/v1/agents/${b.agentId}/runs/${a.runId}/events` },
  { method: 'POST', route: '/v1/agents/{id}/schedules', path: () => `/v1/agents/${a.agentId}/schedules`, body: { input: 'planted', every: '1h' } },
  { method: 'GET', route: '/v1/agents/{id}/schedules', path: () => `/v1/agents/${a.agentId}/schedules` },
  { method: 'GET', route: '/v1/agents/{id}/schedules/{scheduleId}', path: () => `/v1/agents/${a.agentId}/schedules/${a.scheduleId}` },
  { method: 'GET', route: '/v1/agents/{id}/schedules/{scheduleId}', path: () => `/v1/agents/${b.agentId}/schedules/${a.scheduleId}` },
  { method: 'PATCH', route: '/v1/agents/{id}/schedules/{scheduleId}', path: () => `/v1/agents/${a.agentId}/schedules/${a.scheduleId}`, body: { paused: true } },
  { method: 'PATCH', route: '/v1/agents/{id}/schedules/{scheduleId}', path: () => `/v1/agents/${b.agentId}/schedules/${a.scheduleId}`, body: { input: 'pwned' } },
  { method: 'DELETE', route: '/v1/agents/{id}/schedules/{scheduleId}', path: () => `/v1/agents/${a.agentId}/schedules/${a.scheduleId}` },
  { method: 'DELETE', route: '/v1/agents/{id}/schedules/{scheduleId}', path: () => `/v1/agents/${b.agentId}/schedules/${a.scheduleId}` },
  { method: 'GET', route: '/v1/api-keys', path: () => '/v1/api-keys', asTenantA: true },
  { method: 'POST', route: '/v1/api-keys', path: () => '/v1/api-keys', body: { name: 'planted' }, asTenantA: true },
  { method: 'DELETE', route: '/v1/api-keys/{id}', path: () => `/v1/api-keys/${a.keyId}` },
  { method: 'DELETE', route: '/v1/api-keys/{id}', path: () => `/v1/api-keys/${a.keyId}`, asTenantA: true },
  { method: 'GET', route: '/v1/usage', path: () => '/v1/usage', asTenantA: true },
  { method: 'GET', route: '/v1/usage', path: () => `/v1/usage?agentId=${a.agentId}` },
]
/** Endpoints that name no tenant resource; checked separately below. */
const UNSCOPED = new Set(['GET /v1/health', 'GET /v1/openapi.json', 'POST /v1/dev/sign-in', 'GET /v1/tenants', 'POST /v1/tenants'])

beforeAll(async () => {
  api = await startTestApi()
  const ownerA = await createOwner(api, 'iso-a')
  const agentA = await createTestAgent(api, ownerA.token, 'iso-a-agent')
  const keyA = (await (await api.v1('POST', '/v1/api-keys', { token: ownerA.token, body: { name: 'a key', scopes: ['agents:read'] } })).json()) as { id: string; key: string }
  // A run that has finished (this API has no workload driver, so it fails to wake), and a schedule far from firing.
  const run = (await (await api.v1('POST', `/v1/agents/${agentA.id}/runs`, { token: ownerA.token, body: { input: 'tenant-a-only' } })).json()) as { id: string }
  const schedule = (await (await api.v1('POST', `/v1/agents/${agentA.id}/schedules`, { token: ownerA.token, body: { input: 'tenant-a-only', cron: '0 9 1 1 *' } })).json()) as { id: string }
  if (!run.id || !schedule.id) throw new Error('could not create tenant A\'s run and schedule')
  a = { token: ownerA.token, tenantId: ownerA.tenantId, agentId: agentA.id, keyId: keyA.id, key: keyA.key, runId: run.id, scheduleId: schedule.id }
  await waitForRun(api, ownerA.token, agentA.id, run.id, 60_000)
  const secret = await api.v1('PUT', `/v1/agents/${agentA.id}/secrets/A_SECRET`, { token: ownerA.token, body: { value: 'tenant-a-only' } })
  if (secret.status !== 201) throw new Error(`set secret failed: ${secret.status}`)
  const ownerB = await createOwner(api, 'iso-b')
  const agentB = await createTestAgent(api, ownerB.token, 'iso-b-agent')
  const keyB = (await (await api.v1('POST', '/v1/api-keys', {
    token: ownerB.token, body: { name: 'b key', scopes: ['agents:read', 'agents:write', 'api-keys:write', 'usage:read', 'chat'] },
  })).json()) as { key: string }
  b = { token: ownerB.token, tenantId: ownerB.tenantId, agentId: agentB.id, key: keyB.key }
}, 90_000)
afterAll(() => api.close())

async function snapshotOfA() {
  const get = async (path: string) => (await api.v1('GET', path, { token: a.token })).json()
  return {
    tenant: await get(`/v1/tenants/${a.tenantId}`),
    agents: await get('/v1/agents'),
    secrets: await get(`/v1/agents/${a.agentId}/secrets`),
    runs: await get(`/v1/agents/${a.agentId}/runs`),
    schedules: await get(`/v1/agents/${a.agentId}/schedules`),
    keys: ((await get('/v1/api-keys')) as { items: Array<Record<string, unknown>> }).items.map(({ lastUsedAt: _ignored, ...rest }) => rest),
  }
}

describe.each([
  ['a user token of tenant B', () => b.token],
  ['an all-scopes API key of tenant B', () => b.key],
])('with %s', (_label, credential) => {
  it.each(attempts.map((attempt) => [`${attempt.method} ${attempt.route}${attempt.asTenantA ? ' (X-MyIntell-Tenant: A)' : ''}`, attempt] as const))(
    '%s answers 404 and changes nothing',
    async (_name, attempt) => {
      const before = await snapshotOfA()
      const response = await api.v1(attempt.method, attempt.path(), {
        token: credential(),
        ...(attempt.body ? { body: attempt.body } : {}),
        ...(attempt.asTenantA ? { headers: { 'x-myintell-tenant': a.tenantId } } : {}),
      })
      expect(response.status).toBe(404)
      const body = (await response.json()) as { code: string; detail?: string }
      expect(body.code).toBe('not-found')
      expect(JSON.stringify(body)).not.toContain('iso-a')
      expect(await snapshotOfA()).toEqual(before)
    },
  )

  it('cannot tell an existing agent of tenant A from one that does not exist', async () => {
    const existing = await api.v1('GET', `/v1/agents/${a.agentId}`, { token: credential() })
    const missing = await api.v1('GET', `/v1/agents/${MISSING_ID}`, { token: credential() })
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined })
    expect(existing.status).toBe(missing.status)
    expect(strip(await existing.json())).toEqual(strip(await missing.json()))
  })

  it('lists only tenant B\'s tenants and agents', async () => {
    const tenants = (await (await api.v1('GET', '/v1/tenants', { token: credential() })).json()) as { items: Array<{ id: string }> }
    expect(tenants.items.map((t) => t.id)).toEqual([b.tenantId])
    const agents = (await (await api.v1('GET', '/v1/agents', { token: credential() })).json()) as { items: Array<{ id: string }> }
    expect(agents.items.map((x) => x.id)).toEqual([b.agentId])
  })
})

describe('coverage', () => {
  it('tries every tenant-scoped endpoint of the OpenAPI document', async () => {
    const doc = (await (await api.v1('GET', '/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> }
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
    const tried = new Set(attempts.map((x) => `${x.method} ${x.route}`))
    const untested = documented.filter((endpoint) => !tried.has(endpoint) && !UNSCOPED.has(endpoint))
    expect(untested).toEqual([])
  })

  it('tenant A\'s key still works after every attempt to revoke it', async () => {
    expect((await api.v1('GET', '/v1/agents', { token: a.key })).status).toBe(200)
  })
})
