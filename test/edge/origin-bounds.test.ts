// The real edge Worker's answers when the origin fails it: no answer at all (502) or none in time (504), each
// problem+json with Retry-After; and a stream that began in time flows past the bound.

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { edgeRequest, json } from './support/edge-client.ts'
import { startEdgeWorker, type EdgeWorker } from './support/edge-worker.ts'
import { startFakePlatform, type FakePlatform } from './support/fake-platform.ts'

const SECRET = 'origin-bounds-test-secret-0123456789abcdef'
let platform: FakePlatform
let bounded: EdgeWorker
let deadOrigin: EdgeWorker

beforeAll(async () => {
  platform = await startFakePlatform(SECRET)
  // A port nothing listens on: the origin is gone.
  const gone = createServer()
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve))
  const closedPort = (gone.address() as AddressInfo).port
  await new Promise((resolve) => gone.close(resolve))
  ;[bounded, deadOrigin] = await Promise.all([
    startEdgeWorker({ clusterUrl: platform.clusterUrl, originUrl: platform.originUrl, secret: SECRET, vars: { ORIGIN_TIMEOUT_MS: '1000' } }),
    startEdgeWorker({ clusterUrl: platform.clusterUrl, originUrl: `http://127.0.0.1:${closedPort}`, secret: SECRET }),
  ])
}, 60_000)

afterAll(async () => {
  await Promise.all([bounded?.dispose(), deadOrigin?.dispose()])
  await platform?.close()
})

describe('the forward path when the origin fails', () => {
  it('answers 504 problem+json with Retry-After when the origin does not begin answering within ORIGIN_TIMEOUT_MS', async () => {
    platform.addAgent({ slug: 'takes-ages', visibility: 'public', running: true })
    const reply = await edgeRequest(bounded.url, 'takes-ages.localhost', '/slow?ms=3000')
    expect(reply.status).toBe(504)
    expect(reply.headers['retry-after']).toMatch(/^\d+$/)
    expect(reply.headers['content-type']).toBe('application/problem+json')
    expect(json(reply).code).toBe('origin-timeout')
  })

  it('lets a stream that began in time flow past ORIGIN_TIMEOUT_MS', async () => {
    platform.addAgent({ slug: 'long-talker', visibility: 'public', running: true })
    const reply = await edgeRequest(bounded.url, 'long-talker.localhost', '/slow-stream?ms=2500')
    expect(reply.status).toBe(200)
    expect(reply.body).toBe('data: first\n\ndata: last\n\n')
  })

  it('answers 502 problem+json with Retry-After when the origin cannot be reached at all', async () => {
    platform.addAgent({ slug: 'unreachable', visibility: 'public', running: true })
    for (const req of [{}, { method: 'POST', body: '{"message":"hi"}' }]) {
      const reply = await edgeRequest(deadOrigin.url, 'unreachable.localhost', '/v1/chat', req)
      expect(reply.status).toBe(502)
      expect(reply.headers['retry-after']).toMatch(/^\d+$/)
      expect(json(reply).code).toBe('origin-unreachable')
    }
  })
})
