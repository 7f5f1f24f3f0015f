// A driver factory gets the platform's desired set: every agent's spec, so a reconciling driver
// (kubernetes) can tell its own objects from orphans after a restart.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DriverContext } from '../server.ts'
import type { TenantDatabaseProvisioner } from '../tenant-db/types.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from '../../../test/api/support/harness.ts'
import { createRecordingDriver } from '../../../test/api/support/recording-driver.ts'

const tenantDatabases: TenantDatabaseProvisioner = {
  name: 'postgres',
  provision: async (tenant) => `postgres://tenant:secret@127.0.0.1:5432/tenant_${tenant.slug}`,
  drop: async () => {},
}

let api: TestApi
let context: DriverContext | null = null

beforeAll(async () => {
  api = await startTestApi({
    tenantDatabases,
    driver: async (ctx) => {
      context = ctx
      return createRecordingDriver()
    },
  })
})

afterAll(async () => {
  await api?.close()
})

describe('the desired set handed to drivers', () => {
  it('holds the spec of every agent of every tenant, and nothing deleted', async () => {
    const ada = await createOwner(api, 'ada')
    const bob = await createOwner(api, 'bob')
    const one = await createTestAgent(api, ada.token, 'desired-one')
    const two = await createTestAgent(api, bob.token, 'desired-two')
    const gone = await createTestAgent(api, bob.token, 'desired-gone')
    const deleted = await api.v1('DELETE', `/v1/agents/${gone.id}`, { token: bob.token })
    expect(deleted.status).toBe(204)

    expect(context).not.toBeNull()
    const specs = await context!.desiredAgents()
    expect(specs.map((s) => s.agentId).sort()).toEqual([one.id, two.id].sort())
    const spec = specs.find((s) => s.agentId === two.id)!
    expect(spec).toMatchObject({ slug: 'desired-two', tenantId: bob.tenantId })
    expect(spec.tenantDatabaseUrl).toContain('tenant_')
  })
})
