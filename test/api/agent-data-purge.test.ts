// A deleted agent's conversations, messages and memories leave its tenant's database: a real cluster-api with the
// real PostgreSQL provisioner, tenant databases migrated with the runtime's own migrations, and the tenant database
// reached through a TCP proxy that can be taken down. A delete the tenant database misses is owed, not lost.

import { is } from 'drizzle-orm'
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as agentSchema from '../../agent/src/db/schema.ts'
import { findMigrationsFolder, migrateTenantDatabase } from '../../agent/src/db/tenant-db.ts'
import { agentDataPurges } from '../../cluster-api/src/db/schema/index.ts'
import { AgentDataPurger } from '../../cluster-api/src/tenant-db/agent-data-purger.ts'
import { createPostgresProvisioner } from '../../cluster-api/src/tenant-db/postgres.ts'
import type { TenantDatabaseProvisioner } from '../../cluster-api/src/tenant-db/types.ts'
import { AGENT_DATA_TABLES } from '../../wire/tenant-data.ts'
import { adminDatabaseUrl, createTestDatabase } from '../support/db.ts'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from './support/harness.ts'

let proxy: TcpProxy
let platformUrl: string
let provisioner: TenantDatabaseProvisioner
/** The tenant databases as the cluster-api reaches them: through the proxy. */
let viaProxy: TenantDatabaseProvisioner
let api: TestApi
let owner: { token: string; userId: string; tenantId: string }
let tenant: { id: string; slug: string }
/** The tenant database, reached directly (never through the proxy), for the test's own reads and writes. */
let tenantUrl: string

beforeAll(async () => {
  const admin = new URL(adminDatabaseUrl())
  proxy = await startTcpProxy(admin.hostname, Number(admin.port))
  provisioner = createPostgresProvisioner({ adminUrl: adminDatabaseUrl() })
  viaProxy = { name: 'postgres', provision: async (t) => proxy.via(await provisioner.provision(t)), drop: (t) => provisioner.drop(t) }
  platformUrl = await createTestDatabase('purge')
  api = await startTestApi({ databaseUrl: platformUrl, tenantDatabases: viaProxy })
  owner = await createOwner(api, 'purge')
  tenant = { id: owner.tenantId, slug: 'purge-tenant' }
  tenantUrl = await provisioner.provision(tenant)
  // The runtime's own migrations: the tables are the runtime's, exactly as it creates them on start.
  await migrateTenantDatabase(tenantUrl, findMigrationsFolder())
})
afterAll(async () => {
  await proxy.up()
  await api.close()
  await provisioner.drop(tenant)
  await proxy.close()
})

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

/** What a runtime leaves after some chats: conversations with messages, and memories. */
async function seed(agentId: string, conversations = 2): Promise<void> {
  await withClient(tenantUrl, async (client) => {
    for (let i = 0; i < conversations; i++) {
      const { rows } = await client.query<{ id: string }>('INSERT INTO conversations (agent_id, title) VALUES ($1, $2) RETURNING id', [agentId, `chat ${i}`])
      for (const role of ['user', 'assistant', 'user']) {
        await client.query('INSERT INTO messages (conversation_id, role, content) VALUES ($1, $2, $3)', [rows[0]!.id, role, `${role} says hi`])
      }
    }
    await client.query("INSERT INTO memories (agent_id, content, source) VALUES ($1, 'likes tea', 'chat'), ($1, 'lives in Leeds', 'chat')", [agentId])
  })
}

async function rowsOf(agentId: string): Promise<{ conversations: number; messages: number; memories: number }> {
  return withClient(tenantUrl, async (client) => {
    const count = async (text: string) => Number((await client.query<{ n: string }>(text, [agentId])).rows[0]!.n)
    return {
      conversations: await count('SELECT count(*) AS n FROM conversations WHERE agent_id = $1'),
      messages: await count('SELECT count(*) AS n FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.agent_id = $1'),
      memories: await count('SELECT count(*) AS n FROM memories WHERE agent_id = $1'),
    }
  })
}

async function owedPurges() {
  return api.db.select().from(agentDataPurges)
}

/** Makes every owed purge due now, as the passing of its delay would. */
async function makeDue(): Promise<void> {
  await withClient(platformUrl, (client) => client.query('UPDATE agent_data_purges SET next_attempt_at = now()'))
}

const none = { conversations: 0, messages: 0, memories: 0 }

describe('deleting an agent purges its tenant data', () => {
  it("removes its conversations, messages and memories from the tenant database and keeps another agent's", async () => {
    const doomed = await createTestAgent(api, owner.token, 'purge-doomed')
    const kept = await createTestAgent(api, owner.token, 'purge-kept')
    await seed(doomed.id)
    await seed(kept.id, 3)
    expect(await rowsOf(doomed.id)).toEqual({ conversations: 2, messages: 6, memories: 2 })

    expect((await api.v1('DELETE', `/v1/agents/${doomed.id}`, { token: owner.token })).status).toBe(204)
    expect(await rowsOf(doomed.id)).toEqual(none)
    expect(await rowsOf(kept.id)).toEqual({ conversations: 3, messages: 9, memories: 2 })
    // One more sweep is owed, for what a runtime still shutting down might write.
    expect((await owedPurges()).find((p) => p.agentId === doomed.id)).toMatchObject({ sweepsLeft: 1, failures: 0, lastError: null })
  })

  it('sweeps again later, removing what a still-running runtime wrote after the delete, and then owes nothing', async () => {
    const agent = await createTestAgent(api, owner.token, 'purge-late-writer')
    await seed(agent.id)
    expect((await api.v1('DELETE', `/v1/agents/${agent.id}`, { token: owner.token })).status).toBe(204)
    await seed(agent.id, 1)
    await makeDue()
    const purger = new AgentDataPurger({ db: api.db, tenantDatabaseUrl: (t) => viaProxy.provision(t), logger: pino({ level: 'silent' }) })
    await purger.runDue()
    await purger.close()
    // The cluster-api's own loop may have taken it first: either way it ends swept and settled.
    await expect.poll(async () => (await owedPurges()).some((p) => p.agentId === agent.id), { timeout: 10_000 }).toBe(false)
    expect(await rowsOf(agent.id)).toEqual(none)
  })

  it('records a delete the tenant database misses and purges once it is back, after a restart of the cluster-api', async () => {
    const agent = await createTestAgent(api, owner.token, 'purge-while-away')
    await seed(agent.id)
    await proxy.down()
    try {
      expect((await api.v1('DELETE', `/v1/agents/${agent.id}`, { token: owner.token })).status).toBe(204)
      expect((await api.v1('GET', `/v1/agents/${agent.id}`, { token: owner.token })).status).toBe(404)
      expect(await rowsOf(agent.id)).toEqual({ conversations: 2, messages: 6, memories: 2 })
      const owed = (await owedPurges()).find((p) => p.agentId === agent.id)
      expect(owed).toMatchObject({ sweepsLeft: 2, failures: 1 })
      expect(owed?.lastError).toBeTruthy()
    } finally {
      await proxy.up()
    }
    // The platform stops and starts again on the same database; its retry delay has passed.
    await api.close()
    await makeDue()
    api = await startTestApi({ databaseUrl: platformUrl, tenantDatabases: viaProxy })
    await expect.poll(() => rowsOf(agent.id), { timeout: 10_000 }).toEqual(none)
    await expect.poll(async () => (await owedPurges()).find((p) => p.agentId === agent.id)?.sweepsLeft, { timeout: 10_000 }).toBe(1)
  })

  it('settles at once for a tenant whose database no runtime has opened yet', async () => {
    const other = await createOwner(api, 'purge-fresh')
    const agent = await createTestAgent(api, other.token, 'purge-never-woken')
    try {
      expect((await api.v1('DELETE', `/v1/agents/${agent.id}`, { token: other.token })).status).toBe(204)
      expect((await owedPurges()).find((p) => p.agentId === agent.id)).toMatchObject({ sweepsLeft: 1, failures: 0 })
    } finally {
      await provisioner.drop({ id: other.tenantId, slug: 'purge-fresh-tenant' })
    }
  })
})

describe("the purge covers the runtime's schema", () => {
  it("names every tenant table that holds an agent's rows, directly or through a parent", () => {
    const listed = new Set(AGENT_DATA_TABLES.map((t) => t.table))
    const tables = Object.values(agentSchema as Record<string, unknown>)
      .filter((value): value is PgTable => is(value, PgTable)).map((table) => getTableConfig(table))
    expect(tables.length).toBeGreaterThan(0)
    const holdsAgentRows = new Set(tables.filter((t) => t.columns.some((c) => c.name === 'agent_id')).map((t) => t.name))
    // A table hanging off one that holds an agent's rows holds them too.
    for (let grew = true; grew;) {
      grew = false
      for (const t of tables) {
        if (holdsAgentRows.has(t.name)) continue
        if (t.foreignKeys.some((fk) => holdsAgentRows.has(getTableConfig(fk.reference().foreignTable).name))) {
          holdsAgentRows.add(t.name)
          grew = true
        }
      }
    }
    expect([...holdsAgentRows].sort()).toEqual([...listed].sort())
  })
})
