// The edge Worker in front of a real cluster-api whose PostgreSQL goes away, then in front of no cluster-api at
// all: each "not now" reaches the client as problem+json with Retry-After — the cluster-api's 503
// database-unavailable passed through, the edge's own 502 upstream-unreachable when the platform is gone.

import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../cluster-api/src/db/free-port.ts'
import { startClusterApi, type ClusterApi } from '../../cluster-api/src/server.ts'
import { adminDatabaseUrl, createTestDatabase } from '../support/db.ts'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts'
import { edgeRequest, json, type EdgeReply } from './support/edge-client.ts'
import { startEdgeWorker, type EdgeWorker } from './support/edge-worker.ts'

const SECRET = 'platform-outage-edge-secret-0123456789ab'

let proxy: TcpProxy
let api: ClusterApi
let edge: EdgeWorker
let apiClosed = false

beforeAll(async () => {
  const admin = new URL(adminDatabaseUrl())
  proxy = await startTcpProxy(admin.hostname, Number(admin.port))
  api = await startClusterApi({
    databaseUrl: proxy.via(await createTestDatabase('edge_outage')), signingSecret: SECRET, logger: pino({ level: 'silent' }),
  })
  // No agent is ever reached: the origin is a port nobody listens on.
  edge = await startEdgeWorker({ clusterUrl: api.url, originUrl: `http://127.0.0.1:${await freePort()}`, secret: SECRET })
}, 120_000)

afterAll(async () => {
  await edge?.dispose()
  await proxy?.up()
  if (!apiClosed) await api?.close()
  await proxy?.close()
})

function expectRetryLater(reply: EdgeReply, status: number, code: string) {
  expect(reply.status).toBe(status)
  expect(reply.headers['content-type']).toBe('application/problem+json')
  expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0)
  expect(json(reply)).toMatchObject({ status, code })
}

describe('the edge during a platform outage', () => {
  it('serves /v1/health while the platform is healthy (control)', async () => {
    const reply = await edgeRequest(edge.url, 'api.localhost', '/v1/health')
    expect(reply.status).toBe(200)
    expect(json(reply)).toEqual({ status: 'ok', database: 'ok' })
  })

  it("passes the cluster-api's 503 database-unavailable and its Retry-After through while PostgreSQL is stopped", async () => {
    await proxy.down()
    try {
      const health = await edgeRequest(edge.url, 'api.localhost', '/v1/health')
      expectRetryLater(health, 503, 'database-unavailable')
      expect(json(health)).toMatchObject({ dependency: 'database' })
      const signIn = await edgeRequest(edge.url, 'api.localhost', '/v1/dev/sign-in', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'outage@example.test' }),
      })
      expectRetryLater(signIn, 503, 'database-unavailable')
    } finally {
      await proxy.up()
    }
    expect((await edgeRequest(edge.url, 'api.localhost', '/v1/health')).status).toBe(200)
  })

  it('answers 502 upstream-unreachable with Retry-After on every host once the cluster-api is gone', async () => {
    apiClosed = true
    await api.close()
    expectRetryLater(await edgeRequest(edge.url, 'api.localhost', '/v1/health'), 502, 'upstream-unreachable')
    // An agent's host needs a route lookup first, which cannot be had either.
    expectRetryLater(await edgeRequest(edge.url, 'some-agent.localhost', '/v1/chat'), 502, 'upstream-unreachable')
  })
})
