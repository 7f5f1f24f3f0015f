// MYINTELL_IDLE_TIMEOUT_MS=0 means "never idle out", end to end: the cluster-api's configuration accepts it and hands
// it to the real local driver, which keeps a woken superfriend's process running, and KEDA's scaling endpoint keeps
// saying active however long ago the last activity was.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, type ClusterApiConfig } from '../../cluster-api/src/config.ts'
import { agents } from '../../cluster-api/src/db/schema/index.ts'
import { createDriver } from '../../cluster-api/src/drivers/index.ts'
import type { LocalDriver } from '../../cluster-api/src/drivers/local/index.ts'
import { tenantDatabaseProvisioner } from '../../cluster-api/src/tenant-databases.ts'
import { INTERNAL_PATHS, type WorkloadStatus } from '../../wire/internal-api.ts'
import { adminDatabaseUrl, createTestDatabase } from '../support/db.ts'
import { isAlive } from '../local-driver/support.ts'
import { createOwner, createTestAgent, startTestApi, TEST_SIGNING_SECRET, type TestApi } from './support/harness.ts'

/** Longer than a runtime needs to start and than the driver's idle check would take to stop an agent at once. */
const WATCH_MS = 2_500
const SCALER_TOKEN = 'scaler-token-never-idle-0123'

let dataDir: string
let config: ClusterApiConfig
let api: TestApi

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'myintell-never-idle-'))
  config = loadConfig({
    MYINTELL_IDLE_TIMEOUT_MS: '0',
    EDGE_SIGNING_SECRET: TEST_SIGNING_SECRET,
    DATABASE_URL: await createTestDatabase('never_idle'),
    TENANT_DB_ADMIN_URL: adminDatabaseUrl(),
    MYINTELL_DATA_DIR: dataDir,
    MYINTELL_INGRESS_PORT: '0',
    MYINTELL_WARM_POOL_SIZE: '0',
    MYINTELL_SCALER_TOKEN: SCALER_TOKEN,
  })
  const driver = config.driver
  if (driver?.name !== 'local') throw new Error('the default driver is the local one')
  api = await startTestApi({
    databaseUrl: config.databaseUrl,
    idleTimeoutMs: config.idleTimeoutMs,
    scalerToken: config.scalerToken,
    tenantDatabases: tenantDatabaseProvisioner(config.tenantDatabases),
    driver: ({ url }) => createDriver({ driver, signingSecret: config.signingSecret, platformUrl: url, handleSignals: false }),
  })
}, 60_000)

afterAll(async () => {
  await api?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function scaling(agentId: string): Promise<{ active: number; idleTimeoutMs: number }> {
  const response = await fetch(`${api.url}/internal/v1/scaling/agents/${agentId}`, { headers: { authorization: `Bearer ${SCALER_TOKEN}` } })
  expect(response.status).toBe(200)
  return (await response.json()) as { active: number; idleTimeoutMs: number }
}

describe('MYINTELL_IDLE_TIMEOUT_MS=0', () => {
  it('is accepted by the cluster-api and reaches the local driver', () => {
    expect(config.idleTimeoutMs).toBe(0)
    expect(config.driver).toMatchObject({ name: 'local', idleTimeoutMs: 0 })
  })

  it('keeps a woken superfriend running and active for KEDA, however old its last activity', async () => {
    const owner = await createOwner(api, 'never-idle')
    const agent = await createTestAgent(api, owner.token, 'never-idle-ada')
    const asleep = await createTestAgent(api, owner.token, 'never-idle-bob')

    expect((await api.internal('POST', INTERNAL_PATHS.wake(agent.id))).status).toBe(202)
    const status = await api.internal('GET', `${INTERNAL_PATHS.status(agent.id)}?waitMs=30000`)
    expect(((await status.json()) as WorkloadStatus).ready).toBe(true)
    const [pid] = (api.driver as LocalDriver).pids().agents[agent.id] ?? []
    expect(pid).toBeTypeOf('number')

    await new Promise((resolve) => setTimeout(resolve, WATCH_MS))
    expect(isAlive(pid!)).toBe(true)
    expect(await api.driver!.status(agent.id)).toMatchObject({ state: 'ready', ready: true })

    // A day without activity: with any idle window KEDA would be told to scale it to zero.
    const dayAgo = new Date(Date.now() - 24 * 3_600_000)
    await api.db.update(agents).set({ lastActiveAt: dayAgo, lastWakeAt: dayAgo }).where(eq(agents.id, agent.id))
    expect(await scaling(agent.id)).toMatchObject({ active: 1, idleTimeoutMs: 0 })
    // One never woken is not woken by the setting.
    expect(await scaling(asleep.id)).toMatchObject({ active: 0 })
  }, 60_000)
})
