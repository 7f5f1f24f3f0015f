// A warm-pool runtime's assignment answers "ready" only with its tenant database open and at its schema version: a
// database the platform migrated at provisioning is only checked, one of an older install (never migrated by the
// platform) is migrated by the runtime, and an unreachable one leaves the runtime alive and not ready.
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { RUNTIME_PATHS } from '../../wire/runtime.ts'
import { ensureTenantSchema, sourceMigrationsFolder, tenantSchemaVersion } from '../../wire/tenant-schema.ts'
import { createTestDatabase } from '../support/db.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_CONTROL_TOKEN } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'

const started: RuntimeProcess[] = []
afterAll(async () => { await Promise.all(started.map((r) => r.stop())) })

async function assign(runtime: RuntimeProcess, tenantDatabaseUrl: string): Promise<{ status: number; body: { ready?: boolean } }> {
  const res = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.assign}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_CONTROL_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(agentConfig(tenantDatabaseUrl)),
  })
  return { status: res.status, body: await res.json() as { ready?: boolean } }
}

async function appliedVersion(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const found = await client.query<{ applied: string | null }>(
      "SELECT CASE WHEN to_regclass('myintell_agent.agent_migrations') IS NULL THEN NULL ELSE 'present' END AS applied")
    if (found.rows[0]!.applied === null) return null
    return (await client.query<{ v: string }>('SELECT max(created_at)::text AS v FROM myintell_agent.agent_migrations')).rows[0]!.v
  } finally {
    await client.end()
  }
}

async function spawn(): Promise<RuntimeProcess> {
  const runtime = await spawnRuntime()
  started.push(runtime)
  return runtime
}

describe('assignment of a warm-pool runtime', { timeout: 60_000 }, () => {
  it('answers ready for a database migrated at provisioning, and leaves its schema as it found it', async () => {
    const url = await createTestDatabase('assign_prov')
    // What the cluster-api's provisioner does (tenant-db/migrating-provisioner.ts).
    expect(await ensureTenantSchema(url, sourceMigrationsFolder())).toBe(0)
    const version = await appliedVersion(url)
    expect(Number(version)).toBe(tenantSchemaVersion(sourceMigrationsFolder()))
    const runtime = await spawn()
    const answer = await assign(runtime, url)
    expect(answer).toMatchObject({ status: 200, body: { ready: true } })
    expect((await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.readyz}`)).status).toBe(200)
    expect(await appliedVersion(url)).toBe(version)
    expect(runtime.stderr()).not.toContain('tenant-db-migrated')
  })

  it('migrates the database of an older install that the platform never migrated, then answers ready', async () => {
    const url = await createTestDatabase('assign_old')
    expect(await appliedVersion(url)).toBeNull()
    const runtime = await spawn()
    const answer = await assign(runtime, url)
    expect(answer).toMatchObject({ status: 200, body: { ready: true } })
    expect(Number(await appliedVersion(url))).toBe(tenantSchemaVersion(sourceMigrationsFolder()))
    expect(runtime.stderr()).toContain('tenant-db-migrated')
    // The tables the first turn needs are there: a chat's reads would not fail.
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const tables = await client.query<{ t: string | null }>("SELECT to_regclass('conversations')::text AS t UNION ALL SELECT to_regclass('memories')::text")
      expect(tables.rows.map((r) => r.t)).toEqual(['conversations', 'memories'])
    } finally {
      await client.end()
    }
  })

  it('answers not ready, and stays alive and not ready, when its database cannot be reached', async () => {
    const url = await createTestDatabase('assign_gone')
    const unreachable = new URL(url)
    unreachable.port = '1' // nothing listens there: every connect is refused
    const runtime = await spawn()
    // The runtime waits for its database up to its bound (10 s) before it answers.
    const answer = await assign(runtime, unreachable.toString())
    expect(answer).toMatchObject({ status: 200, body: { ready: false } })
    const ready = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.readyz}`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({ ready: false, assigned: true })
    expect((await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.healthz}`)).status).toBe(200)
    expect(runtime.stderr()).toContain('tenant-db-unavailable')
    expect(runtime.stderr()).not.toContain(unreachable.toString())
  })
})
