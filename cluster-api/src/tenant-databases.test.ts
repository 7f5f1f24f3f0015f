import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { INTERNAL_PATHS } from '../../wire/internal-api.ts'
import { adminDatabaseUrl } from '../../test/support/db.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from '../../test/api/support/harness.ts'
import { createRecordingDriver, type RecordingDriver } from '../../test/api/support/recording-driver.ts'
import { sourceMigrationsFolder, tenantSchemaVersion } from '../../wire/tenant-schema.ts'
import { tenantDatabaseProvisioner } from './tenant-databases.ts'

let api: TestApi
let driver: RecordingDriver
beforeAll(async () => {
  driver = createRecordingDriver()
  api = await startTestApi({ driver, tenantDatabases: tenantDatabaseProvisioner({ kind: 'postgres', adminUrl: adminDatabaseUrl(), roleSecret: undefined }) })
})
afterAll(() => api.close())

describe('tenant databases on wake', () => {
  it('provisions the tenant\'s own database on first need and hands the runtime a URL that connects', async () => {
    const owner = await createOwner(api, 'tdb')
    const agent = await createTestAgent(api, owner.token, 'tdb-agent')
    expect((await api.internal('POST', INTERNAL_PATHS.wake(agent.id))).status).toBe(202)
    const spec = driver.calls.filter((c) => c.op === 'ensure' && c.agentId === agent.id).at(-1)?.spec
    expect(spec?.tenantDatabaseUrl).toBeTruthy()
    expect(spec!.tenantDatabaseUrl).not.toBe(api.database.url)
    const client = new pg.Client({ connectionString: spec!.tenantDatabaseUrl })
    await client.connect()
    try {
      const name = await client.query('select current_database() as name')
      expect(name.rows[0].name).not.toBe(new URL(api.database.url).pathname.slice(1))
    } finally {
      await client.end()
    }
  })

  it('migrates the tenant database when it provisions it, before any runtime runs', async () => {
    const owner = await createOwner(api, 'tdbm')
    const agent = await createTestAgent(api, owner.token, 'tdbm-agent')
    expect((await api.internal('POST', INTERNAL_PATHS.wake(agent.id))).status).toBe(202)
    const spec = driver.calls.filter((c) => c.op === 'ensure' && c.agentId === agent.id).at(-1)?.spec
    // The recording driver starts no runtime: whatever schema the database has, the cluster-api put there.
    const client = new pg.Client({ connectionString: spec!.tenantDatabaseUrl })
    await client.connect()
    try {
      const applied = await client.query('SELECT max(created_at)::text AS v FROM myintell_agent.agent_migrations')
      expect(Number(applied.rows[0].v)).toBe(tenantSchemaVersion(sourceMigrationsFolder()))
      const tables = await client.query("SELECT to_regclass('conversations')::text AS c, to_regclass('messages')::text AS m, to_regclass('memories')::text AS r")
      expect(tables.rows[0]).toEqual({ c: 'conversations', m: 'messages', r: 'memories' })
    } finally {
      await client.end()
    }
  })
})
