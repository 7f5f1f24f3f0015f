// A real cluster-api whose platform database goes away: the run's PostgreSQL behind a TCP proxy that is taken
// down (a stopped server), frozen (a hung one), or the database itself refusing connections. Every /v1 answer is a
// 503 problem with Retry-After, /v1/health names the database, nothing is half-written, and it recovers alone.

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOwner, createTestAgent, startTestApi, type TestApi } from '../../../test/api/support/harness.ts'
import { adminDatabaseUrl, createTestDatabase } from '../../../test/support/db.ts'
import { startTcpProxy, type TcpProxy } from '../../../test/support/tcp-proxy.ts'
import { CONNECT_TIMEOUT_MS } from '../db/connect.ts'

let proxy: TcpProxy
let api: TestApi
let databaseUrl: string
let owner: { token: string; userId: string; tenantId: string }
let apiKey: string

beforeAll(async () => {
  const admin = new URL(adminDatabaseUrl())
  proxy = await startTcpProxy(admin.hostname, Number(admin.port))
  databaseUrl = await createTestDatabase('outage')
  api = await startTestApi({ databaseUrl: proxy.via(databaseUrl) })
  owner = await createOwner(api, 'outage')
  const created = await api.v1('POST', '/v1/api-keys', { token: owner.token, body: { name: 'outage', scopes: ['agents:read', 'agents:write'] } })
  apiKey = ((await created.json()) as { key: string }).key
})
afterAll(async () => {
  await proxy.up()
  await api.close()
  await proxy.close()
})

async function expectUnavailable(response: Response, what: string) {
  expect(response.status, what).toBe(503)
  expect(response.headers.get('content-type'), what).toBe('application/problem+json')
  expect(Number(response.headers.get('retry-after')), what).toBeGreaterThan(0)
  const body = (await response.json()) as Record<string, unknown>
  expect(body, what).toMatchObject({ status: 503, code: 'database-unavailable', dependency: 'database' })
  // A safe message: no driver error, no host or port of the database.
  expect(JSON.stringify(body), what).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|5432|Failed query/)
}

async function slugs(): Promise<string[]> {
  const response = await api.v1('GET', '/v1/agents?limit=100', { token: owner.token })
  expect(response.status).toBe(200)
  return ((await response.json()) as { items: Array<{ slug: string }> }).items.map((agent) => agent.slug)
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

describe('platform database outage', () => {
  it('answers every /v1 call with 503 database-unavailable and Retry-After while PostgreSQL is stopped', async () => {
    await createTestAgent(api, owner.token, 'outage-before')
    await proxy.down()
    try {
      await expectUnavailable(await api.v1('GET', '/v1/health'), 'health')
      await expectUnavailable(await api.v1('GET', '/v1/agents', { token: owner.token }), 'list agents (session)')
      await expectUnavailable(await api.v1('GET', '/v1/agents', { token: apiKey }), 'list agents (API key)')
      await expectUnavailable(await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'outage-during', name: 'During' } }), 'create agent')
      // Creating a tenant is a transaction: its connect is the first thing to fail.
      await expectUnavailable(await api.v1('POST', '/v1/tenants', { token: owner.token, body: { slug: 'outage-second', name: 'x' } }), 'create tenant')
      await expectUnavailable(await api.v1('POST', '/v1/dev/sign-in', { body: { email: 'outage-new@example.test' } }), 'sign in')
    } finally {
      await proxy.up()
    }
  })

  it('recovers once PostgreSQL is back, with nothing written during the outage', async () => {
    const health = await api.v1('GET', '/v1/health')
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok' })
    expect(await slugs()).toEqual(['outage-before'])
    const tenants = (await (await api.v1('GET', '/v1/tenants', { token: owner.token })).json()) as { items: Array<{ slug: string }> }
    expect(tenants.items.map((t) => t.slug)).toEqual(['outage-tenant'])
  })

  it('answers 503 when the database refuses connections and its sessions are terminated, then serves again', async () => {
    const name = new URL(databaseUrl).pathname.slice(1)
    await withAdmin(async (admin) => {
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`)
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])
    })
    try {
      await expectUnavailable(await api.v1('GET', '/v1/agents', { token: owner.token }), 'list agents')
      await expectUnavailable(await api.v1('GET', '/v1/health'), 'health')
    } finally {
      await withAdmin((admin) => admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`))
    }
    expect(await slugs()).toEqual(['outage-before'])
  })

  it('answers 503 instead of hanging when PostgreSQL accepts connections but never answers', async () => {
    await proxy.freeze()
    try {
      // Bounded by the connect timeout (and /v1/health by its own shorter one), not by TCP's minutes.
      await expectUnavailable(await api.v1('GET', '/v1/health'), 'health')
      await expectUnavailable(await api.v1('GET', '/v1/agents', { token: owner.token }), 'list agents')
    } finally {
      await proxy.up()
    }
    expect(await slugs()).toEqual(['outage-before'])
  }, CONNECT_TIMEOUT_MS * 4)
})
