// The real edge Worker in front of a cluster-api that accepts connections but never answers (what `kill -STOP`
// does: the kernel still accepts into the backlog): a /v1 call gets 504 problem+json with Retry-After after
// CLUSTER_API_TIMEOUT_MS (lowered here), not a hang. An answer that has begun streams to its end, however long.

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { edgeRequest, json, openEdgeRequest } from './support/edge-client.ts'
import { startEdgeWorker, type EdgeWorker } from './support/edge-worker.ts'

const SECRET = 'cluster-api-timeout-test-secret-0123456789'
const TIMEOUT_MS = 500
let clusterApi: http.Server
let edge: EdgeWorker
let hung = 0

beforeAll(async () => {
  clusterApi = http.createServer((req, res) => {
    if (req.url === '/v1/slow-stream') {
      // The head at once, then a chunk every 200 ms for several times the edge's bound.
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      let n = 0
      const tick = setInterval(() => {
        n += 1
        res.write(`data: ${n}\n\n`)
        if (n === 8) {
          clearInterval(tick)
          res.end()
        }
      }, 200)
      return
    }
    hung += 1 // every other call: never answered
  })
  await new Promise<void>((resolve) => clusterApi.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(clusterApi.address() as AddressInfo).port}`
  edge = await startEdgeWorker({ clusterUrl: url, originUrl: url, secret: SECRET, vars: { CLUSTER_API_TIMEOUT_MS: String(TIMEOUT_MS) } })
})
afterAll(async () => {
  await edge?.dispose()
  clusterApi?.closeAllConnections()
  await new Promise((resolve) => clusterApi?.close(resolve))
})

describe('a cluster-api that does not answer', () => {
  it('costs a /v1 call the edge’s bound: 504 upstream-timeout problem+json with Retry-After', async () => {
    const started = Date.now()
    const reply = await edgeRequest(edge.url, 'api.localhost', '/v1/agents')
    expect(reply.status).toBe(504)
    expect(reply.headers['content-type']).toBe('application/problem+json')
    expect(reply.headers['retry-after']).toBe('5')
    expect(json(reply)).toMatchObject({ status: 504, code: 'upstream-timeout' })
    expect(hung).toBeGreaterThan(0) // it did reach the cluster-api, which kept it
    console.log(`a /v1 call to a hung cluster-api answered after ${Date.now() - started} ms (bound ${TIMEOUT_MS} ms)`)
  })

  it('also for a POST with a body', async () => {
    const reply = await edgeRequest(edge.url, 'api.localhost', '/v1/agents', {
      method: 'POST', body: '{"slug":"ada"}', headers: { 'content-type': 'application/json', authorization: 'Bearer mi_whatever' },
    })
    expect(reply.status).toBe(504)
    expect(reply.headers['retry-after']).toBe('5')
  })

  it('never cuts an answer that has begun: a stream longer than the bound arrives whole', async () => {
    const res = await openEdgeRequest(edge.url, 'api.localhost', '/v1/slow-stream')
    expect(res.statusCode).toBe(200)
    let body = ''
    res.setEncoding('utf8')
    for await (const chunk of res) body += chunk
    expect(body).toBe(Array.from({ length: 8 }, (_, i) => `data: ${i + 1}\n\n`).join(''))
  })
})
