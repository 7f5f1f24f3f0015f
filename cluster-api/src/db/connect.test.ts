import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import pg from 'pg'
import { INTERNAL_PATHS } from '../../../wire/internal-api.ts'
import { createTestDatabase } from '../../../test/support/db.ts'
import { startNeonWsProxy, type NeonWsProxy } from '../../../test/fakes/neon-ws-proxy.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from '../../../test/api/support/harness.ts'
import { chooseDriver, openDatabase } from './connect.ts'
import { findAgentBySlug } from './queries/agents.ts'

describe('choosing the database driver', () => {
  it('picks embedded without a URL, Neon for neon.tech hosts, node-postgres otherwise', () => {
    expect(chooseDriver(undefined)).toBe('embedded')
    expect(chooseDriver('postgres://u:p@ep-cool-name-123.eu-central-1.aws.neon.tech/db')).toBe('neon')
    expect(chooseDriver('postgres://u:p@db.internal:5432/db')).toBe('postgres')
    expect(chooseDriver('postgres://u:p@127.0.0.1:5432/db', 'neon')).toBe('neon')
    expect(chooseDriver('postgres://u:p@notneon.tech.example/db')).toBe('postgres')
  })
})

describe('node-postgres', () => {
  it('applies the migrations at open, and opening again is a no-op', async () => {
    const url = await createTestDatabase('mig')
    const first = await openDatabase({ databaseUrl: url, dataDir: '.data' })
    await first.close()
    const second = await openDatabase({ databaseUrl: url, dataDir: '.data' })
    await second.close()
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const tables = await client.query("select table_name from information_schema.tables where table_schema = 'public' order by 1")
      expect(tables.rows.map((r) => r.table_name)).toEqual(['agent_data_purges', 'agent_secrets', 'agents', 'api_keys', 'ingest_batches', 'memberships', 'run_events', 'runs', 'schedules', 'signing_keys', 'tenants', 'usage_records', 'users'])
      const applied = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations')
      expect(applied.rows[0].n).toBeGreaterThan(0)
    } finally {
      await client.end()
    }
  })
})

describe('the Neon serverless driver (through a local WebSocket proxy)', () => {
  let proxy: NeonWsProxy
  let api: TestApi
  beforeAll(async () => {
    proxy = await startNeonWsProxy()
    api = await startTestApi({ dbDriver: 'neon', neonWsProxy: proxy.proxy, logger: pino({ level: 'silent' }) })
  })
  afterAll(async () => {
    await api?.close()
    await proxy?.close()
  })

  it('migrates, serves /v1 and the internal API, and runs transactions over WebSockets', async () => {
    expect(api.database.driver).toBe('neon')
    const owner = await createOwner(api, 'neon')
    const agent = await createTestAgent(api, owner.token, 'neon-agent')
    expect(await findAgentBySlug(api.db, 'neon-agent')).toMatchObject({ id: agent.id, tenantId: owner.tenantId })
    // Ingest runs in a transaction: the Neon Pool must support it.
    const from = Date.UTC(2025, 0, 1)
    const item = { agentId: agent.id, tenantId: agent.tenantId, from, to: from + 1, requests: 1, bytesIn: 1, bytesOut: 1, wakes: 0, coldStartMs: 0, tokensIn: 0, tokensOut: 0, activeSeconds: 1, openStreams: 0 }
    expect(await (await api.internal('POST', INTERNAL_PATHS.ingest, { batchId: 'neon-1', items: [item] })).json()).toEqual({ accepted: 1, duplicate: false })
    expect(await (await api.internal('POST', INTERNAL_PATHS.ingest, { batchId: 'neon-1', items: [item] })).json()).toEqual({ accepted: 0, duplicate: true })
    expect((await api.v1('GET', '/v1/health')).status).toBe(200)
    const duplicate = await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'neon-agent', name: 'again' } })
    expect(duplicate.status).toBe(409)
    expect(proxy.connections).toBeGreaterThan(0)
  })
})
