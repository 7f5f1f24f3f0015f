// The servers behind the edge take every request head the edge lets through: the real Worker in front of the
// real local ingress and a real runtime, and of the real cluster-api, each sent header fields just under the
// edge's bound. (Node's own default, 16 KiB for the whole head, is less than that plus what the edge adds, and its
// 431 reached clients as a chunked body with no final chunk.)

import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentSecret } from '../../wire/node-hmac.ts'
import { EDGE_MAX_HEADER_BYTES } from '../../wire/request-limits.ts'
import { createLocalIngress, type LocalIngress } from '../../cluster-api/src/drivers/local/ingress/index.ts'
import { startClusterApi, type ClusterApi } from '../../cluster-api/src/server.ts'
import { agentConfig } from '../agent/support/agent-config.ts'
import { spawnRuntime, waitUntilReady, type RuntimeProcess } from '../agent/support/runtime-process.ts'
import { createTestDatabase } from '../support/db.ts'
import { edgeRequest, json } from './support/edge-client.ts'
import { startEdgeWorker, type EdgeWorker } from './support/edge-worker.ts'
import { startFakePlatform, type FakePlatform } from './support/fake-platform.ts'

const SECRET = 'origin-head-room-test-secret-0123456789ab'
/** Header fields of the client's, just under the edge's bound (the request line and Host take the rest). */
const FULL_HEAD = { 'x-filler': 'a'.repeat(EDGE_MAX_HEADER_BYTES - 256) }
let platform: FakePlatform
let runtime: RuntimeProcess
let ingress: LocalIngress
let api: ClusterApi
let viaIngress: EdgeWorker
let viaApi: EdgeWorker
let slug: string

beforeAll(async () => {
  const config = agentConfig(await createTestDatabase('edge_head_runtime'), { visibility: 'public' })
  slug = config.slug
  runtime = await spawnRuntime({ config: { ...config, signingKey: agentSecret(SECRET, config.agentId) } })
  await waitUntilReady(runtime.baseUrl)
  ingress = await createLocalIngress({
    signingSecret: SECRET,
    router: {
      route: (host) => (host === slug ? { kind: 'ready', agentId: config.agentId, port: runtime.port } : { kind: 'unknown' }),
      beginStream: () => () => undefined,
    },
  })
  // Routes come from the fake cluster-api; the traffic goes through the real ingress to the real runtime.
  platform = await startFakePlatform(SECRET)
  platform.addAgent({ slug, agentId: config.agentId, tenantId: config.tenantId, visibility: 'public', running: true })
  viaIngress = await startEdgeWorker({ clusterUrl: platform.clusterUrl, originUrl: ingress.url, secret: SECRET })
  api = await startClusterApi({
    databaseUrl: await createTestDatabase('edge_head_api'), signingSecret: SECRET, logger: pino({ level: 'silent' }),
    tenantDatabases: (database) => ({ name: 'postgres', provision: async () => database.url, drop: async () => {} }),
  })
  viaApi = await startEdgeWorker({ clusterUrl: api.url, originUrl: ingress.url, secret: SECRET })
}, 120_000)
afterAll(async () => {
  await viaIngress?.dispose()
  await viaApi?.dispose()
  await api?.close()
  await ingress?.close()
  await platform?.close()
  await runtime?.stop()
})

describe('the servers behind the edge', () => {
  it('the ingress and the runtime take headers just under the edge’s bound', async () => {
    const reply = await edgeRequest(viaIngress.url, `${slug}.localhost`, '/v1/models', { headers: FULL_HEAD })
    expect(reply.status).toBe(200)
    expect(json<{ data: Array<{ id: string }> }>(reply).data.map((m) => m.id)).toEqual([slug])
  })

  it('the cluster-api takes them on /v1', async () => {
    const reply = await edgeRequest(viaApi.url, 'api.localhost', '/v1/health', { headers: FULL_HEAD })
    expect(reply.status).toBe(200)
  })
})
