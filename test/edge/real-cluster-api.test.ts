// The edge Worker against the real cluster-api (startClusterApi on a real PostgreSQL): route lookup, API-key
// verification, wake and status through its signed internal API, and usage landing in its ingest.
// Only the workload driver (what would start a pod or process) and the origin are stand-ins.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import type { WorkloadStatus } from '../../wire/internal-api.ts'
import { createAgent } from '../../cluster-api/src/db/queries/agents.ts'
import { createApiKey } from '../../cluster-api/src/db/queries/api-keys.ts'
import { createTenantWithOwner } from '../../cluster-api/src/db/queries/tenants.ts'
import { upsertUser } from '../../cluster-api/src/db/queries/users.ts'
import type { WorkloadDriver } from '../../cluster-api/src/drivers/types.ts'
import { startClusterApi, type ClusterApi } from '../../cluster-api/src/server.ts'
import { createTestDatabase } from '../support/db.ts'
import { edgeRequest, json } from './support/edge-client.ts'
import { startEdgeWorker, type EdgeWorker } from './support/edge-worker.ts'
import { startFakePlatform, type FakePlatform } from './support/fake-platform.ts'

const SECRET = 'real-cluster-api-edge-secret-0123456789'
/** The stand-in driver's boot time: long enough that the edge has to hold the request. */
const BOOT_MS = 150

/** A workload driver whose "pods" are the fake origin's agents: a wake marks the agent running there. */
function originDriver(origin: FakePlatform, slugOf: Map<string, string>): WorkloadDriver & { wakes: number } {
  const running = new Set<string>()
  const status = (agentId: string): WorkloadStatus => ({
    agentId, state: running.has(agentId) ? 'ready' : driver.wakes > 0 ? 'waking' : 'cold', ready: running.has(agentId), replicas: running.has(agentId) ? 1 : 0,
  })
  const driver = {
    name: 'local' as const,
    wakes: 0,
    async ensure() {},
    async remove() {},
    async wake(agentId: string) {
      driver.wakes += 1
      setTimeout(() => {
        running.add(agentId)
        const fakeAgent = [...origin.agents.values()].find((a) => a.slug === slugOf.get(agentId))
        if (fakeAgent) origin.markReady(fakeAgent.agentId)
      }, BOOT_MS)
      return status(agentId)
    },
    async status(agentId: string) {
      return status(agentId)
    },
    async touch() {},
    async list() {
      return []
    },
    async close() {},
  }
  return driver
}

let api: ClusterApi
let origin: FakePlatform
let edge: EdgeWorker
let driver: ReturnType<typeof originDriver>
const slugOf = new Map<string, string>()

beforeAll(async () => {
  origin = await startFakePlatform(SECRET)
  driver = originDriver(origin, slugOf)
  api = await startClusterApi({
    databaseUrl: await createTestDatabase('edge'), signingSecret: SECRET, logger: pino({ level: 'silent' }), driver,
    // The agent never runs here, so its database is never opened: any URL will do.
    tenantDatabases: (database) => ({ name: 'postgres', provision: async () => database.url, drop: async () => {} }),
  })
  edge = await startEdgeWorker({
    clusterUrl: api.url, originUrl: origin.originUrl, secret: SECRET, vars: { USAGE_FLUSH_INTERVAL_MS: '200' },
  })
}, 120_000)

afterAll(async () => {
  await edge?.dispose()
  await api?.close()
  await origin?.close()
})

describe('edge + real cluster-api', () => {
  it('looks up the route, verifies the key, wakes the agent once and serves it', async () => {
    await upsertUser(api.db, 'user_edge_owner', 'owner@example.com')
    const tenant = await createTenantWithOwner(api.db, { slug: 'edge-tenant', name: 'Edge tenant' }, 'user_edge_owner')
    const agent = await createAgent(api.db, tenant.id, {
      slug: 'real-ada', name: 'Ada', persona: { systemPrompt: 'hi', style: 'warm' }, model: { provider: 'fake', model: 'fake' },
      visibility: 'private', desiredState: 'running',
    })
    slugOf.set(agent.id, agent.slug)
    origin.addAgent({ slug: agent.slug, agentId: `origin-side-${agent.id}`, tenantId: tenant.id, wakeDelayMs: null })
    const { plaintext } = await createApiKey(api.db, tenant.id, { name: 'edge test', scopes: ['chat'], createdBy: null })

    const anonymous = await edgeRequest(edge.url, 'real-ada.localhost', '/')
    expect(anonymous.status).toBe(401)

    const replies = await Promise.all(Array.from({ length: 5 }, () =>
      edgeRequest(edge.url, 'real-ada.localhost', '/chat', { method: 'POST', headers: { authorization: `Bearer ${plaintext}` }, body: 'hello' })))
    for (const reply of replies) {
      expect(reply.status).toBe(200)
      expect(json(reply)).toMatchObject({ agent: 'real-ada', agentId: agent.id, tenantId: tenant.id, body: 'hello' })
      expect(json(reply).principal).toMatch(/^key:/)
    }
    expect(driver.wakes).toBe(1)

    const otherTenant = await createTenantWithOwner(api.db, { slug: 'edge-other', name: 'Other' }, 'user_edge_owner')
    const { plaintext: otherKey } = await createApiKey(api.db, otherTenant.id, { name: 'other', scopes: ['chat'], createdBy: null })
    const refused = await edgeRequest(edge.url, 'real-ada.localhost', '/', { headers: { authorization: `Bearer ${otherKey}` } })
    expect(refused.status).toBe(403)
    expect(await edgeRequest(edge.url, 'real-ada.localhost', '/', { headers: { authorization: 'Bearer mi_nope_nope' } }).then((r) => r.status)).toBe(401)
  }, 60_000)
})
