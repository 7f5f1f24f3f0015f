// The stored workload state, which the edge's route lookup answers, is the driver's word: every change the driver
// tells lands in it (an idle-out, a crash, readiness), and a cluster-api that starts corrects what the database still
// says from before (after a restart of the platform nothing runs, whatever was stored).

import { afterEach, describe, expect, it, vi } from 'vitest'
import { INTERNAL_PATHS, type RouteInfo } from '../../../wire/internal-api.ts'
import { createTestDatabase } from '../../../test/support/db.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from '../../../test/api/support/harness.ts'
import { createRecordingDriver, type RecordingDriver } from '../../../test/api/support/recording-driver.ts'
import { setWorkloadState } from '../db/queries/agents.ts'
import type { TenantDatabaseProvisioner } from '../tenant-db/types.ts'

const tenantDatabases: TenantDatabaseProvisioner = {
  name: 'postgres',
  provision: async (tenant) => `postgres://tenant:secret@127.0.0.1:5432/tenant_${tenant.slug}`,
  drop: async () => {},
}

const running: TestApi[] = []
afterEach(async () => {
  for (const api of running.splice(0)) await api.close()
})

async function start(driver: RecordingDriver, databaseUrl?: string): Promise<TestApi> {
  const api = await startTestApi({ driver: async () => driver, tenantDatabases, ...(databaseUrl ? { databaseUrl } : {}) })
  running.push(api)
  return api
}

async function routeState(api: TestApi, slug: string): Promise<RouteInfo['state']> {
  const response = await api.internal('GET', INTERNAL_PATHS.route(slug))
  expect(response.status).toBe(200)
  return ((await response.json()) as RouteInfo).state
}

describe('the stored workload state', () => {
  it('follows what the driver tells: waking on a wake, ready, cold after an idle-out, waking after a crash', async () => {
    const driver = createRecordingDriver({ tellsStates: true })
    const api = await start(driver)
    const owner = await createOwner(api, 'told')
    const agent = await createTestAgent(api, owner.token, 'told-ada')
    expect(await routeState(api, agent.slug)).toBe('cold')

    expect((await api.internal('POST', INTERNAL_PATHS.wake(agent.id))).status).toBe(202)
    await vi.waitFor(async () => expect(await routeState(api, agent.slug)).toBe('waking'))
    driver.markReady(agent.id)
    await vi.waitFor(async () => expect(await routeState(api, agent.slug)).toBe('ready'))
    // Nobody asked for a status: the driver's own word moves the stored state.
    driver.setState(agent.id, 'cold')
    await vi.waitFor(async () => expect(await routeState(api, agent.slug)).toBe('cold'))
    driver.setState(agent.id, 'waking')
    await vi.waitFor(async () => expect(await routeState(api, agent.slug)).toBe('waking'))
    // /v1 shows the same.
    const shown = await api.v1('GET', `/v1/agents/${agent.id}`, { token: owner.token })
    expect(((await shown.json()) as { workloadState: string }).workloadState).toBe('waking')
  })

  it('writes the newest of a burst of changes last', async () => {
    const driver = createRecordingDriver({ tellsStates: true })
    const api = await start(driver)
    const owner = await createOwner(api, 'burst')
    const agent = await createTestAgent(api, owner.token, 'burst-bob')
    for (const state of ['waking', 'ready', 'waking', 'ready', 'cold'] as const) driver.setState(agent.id, state)
    await vi.waitFor(async () => expect(await routeState(api, agent.slug)).toBe('cold'))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await routeState(api, agent.slug)).toBe('cold')
  })

  it('is cold at once after a restart of the platform for an agent the database still recorded as ready', async () => {
    const databaseUrl = await createTestDatabase('restart')
    const before = await start(createRecordingDriver({ tellsStates: true }), databaseUrl)
    const owner = await createOwner(before, 'restart')
    const agent = await createTestAgent(before, owner.token, 'restart-cy')
    const other = await createTestAgent(before, owner.token, 'restart-dee')
    // What a platform killed while its agents ran leaves behind.
    await setWorkloadState(before.db, agent.id, 'ready')
    await setWorkloadState(before.db, other.id, 'failed')
    await before.close()
    running.splice(running.indexOf(before), 1)

    // The restarted driver knows no agent, as the local driver after a restart: nothing runs.
    const after = await start(createRecordingDriver({ tellsStates: true }), databaseUrl)
    expect(await routeState(after, agent.slug)).toBe('cold')
    expect(await routeState(after, other.slug)).toBe('cold')
  })

  it('keeps a state the driver tells while the stored states are being corrected at start-up', async () => {
    const databaseUrl = await createTestDatabase('restart_race')
    const before = await start(createRecordingDriver({ tellsStates: true }), databaseUrl)
    const owner = await createOwner(before, 'race')
    const woken = await createTestAgent(before, owner.token, 'race-eve')
    const stale = await createTestAgent(before, owner.token, 'race-fay')
    await setWorkloadState(before.db, woken.id, 'ready')
    await setWorkloadState(before.db, stale.id, 'ready')
    await before.close()
    running.splice(running.indexOf(before), 1)

    const driver = createRecordingDriver({ tellsStates: true })
    const list = driver.list.bind(driver)
    // A wake that completes while the platform lists what runs: told during the list, missing from its answer.
    driver.list = async () => {
      const listed = await list()
      driver.setState(woken.id, 'ready')
      return listed
    }
    const after = await start(driver, databaseUrl)
    expect(await routeState(after, stale.slug)).toBe('cold')
    await vi.waitFor(async () => expect(await routeState(after, woken.slug)).toBe('ready'))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await routeState(after, woken.slug)).toBe('ready')
  })
})
