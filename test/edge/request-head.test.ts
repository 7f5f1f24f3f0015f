// Request heads the platform does not take are answered by the edge itself, at once and cleanly (a whole
// problem+json body): header fields over 16 KiB get 431, and what is under it reaches the origin, whose servers
// accept it with the edge's own headers added. A request naming two hosts gets 400 (Cloudflare's and workerd's
// front hand it to the Worker; `wrangler dev`'s proxy answers it 500 before the Worker runs, see edge/README.md).

import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EDGE_MAX_HEADER_BYTES } from '../../wire/request-limits.ts'
import { edgeRequest, json } from './support/edge-client.ts'
import { startEdgeWorker, type EdgeWorker } from './support/edge-worker.ts'
import { startEdgeWorkerd, type EdgeWorkerd } from './support/edge-workerd.ts'
import { startFakePlatform, type FakePlatform } from './support/fake-platform.ts'

const SECRET = 'request-head-test-secret-0123456789abcdef'
let platform: FakePlatform
let edge: EdgeWorker
let workerd: EdgeWorkerd

beforeAll(async () => {
  platform = await startFakePlatform(SECRET)
  edge = await startEdgeWorker({ clusterUrl: platform.clusterUrl, originUrl: platform.originUrl, secret: SECRET })
  workerd = await startEdgeWorkerd({ CLUSTER_API_URL: platform.clusterUrl, ORIGIN_URL: platform.originUrl, EDGE_SIGNING_SECRET: SECRET })
}, 60_000)
afterAll(async () => {
  await edge?.dispose()
  await workerd?.dispose()
  await platform?.close()
})

/** Writes `head` on a fresh socket and reads until the server closes it: the raw answer. */
function rawRequest(url: URL, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(head))
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => { answer += chunk })
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
  })
}

describe('request heads', () => {
  it('answers 17 KB of headers with 431 problem+json from the edge; the agent never sees them', async () => {
    const agent = platform.addAgent({ slug: 'big-head', visibility: 'public', running: true })
    const reply = await edgeRequest(edge.url, 'big-head.localhost', '/', { headers: { 'x-filler': 'a'.repeat(17 * 1024) } })
    expect(reply.status).toBe(431)
    expect(reply.headers['content-type']).toBe('application/problem+json')
    expect(json(reply)).toMatchObject({ status: 431, code: 'headers-too-large', maxBytes: EDGE_MAX_HEADER_BYTES })
    expect(agent.served).toBe(0)
  })

  it('forwards headers just under the bound, which the origin takes with the edge’s own added', async () => {
    platform.addAgent({ slug: 'full-head', visibility: 'public', running: true })
    const reply = await edgeRequest(edge.url, 'full-head.localhost', '/', { headers: { 'x-filler': 'a'.repeat(EDGE_MAX_HEADER_BYTES - 256) } })
    expect(reply.status).toBe(200)
    expect(json(reply)).toMatchObject({ agent: 'full-head' })
  })

  it('answers two Host headers with 400 problem+json', async () => {
    const agent = platform.addAgent({ slug: 'two-hosts', visibility: 'public', running: true })
    const port = workerd.url.port
    for (const hosts of [`Host: two-hosts.localhost:${port}\r\nHost: other.localhost:${port}`, `Host: two-hosts.localhost:${port}, other.localhost`]) {
      const answer = await rawRequest(workerd.url, `GET / HTTP/1.1\r\n${hosts}\r\nConnection: close\r\n\r\n`)
      const [head = '', body = ''] = answer.split('\r\n\r\n')
      expect(head, hosts).toMatch(/^HTTP\/1\.1 400 /)
      expect(head.toLowerCase()).toContain('content-type: application/problem+json')
      expect(JSON.parse(body)).toMatchObject({ status: 400, code: 'bad-host' })
    }
    expect(agent.served).toBe(0)
  })
})
