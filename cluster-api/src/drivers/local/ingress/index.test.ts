// The local ingress in front of real HTTP/WebSocket servers on loopback: signature check, routing, streaming, upgrades.
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { NO_ENDPOINTS, TENANT_HOST } from '../../../../../wire/headers.ts'
import { PROBLEM_CONTENT_TYPE } from '../../../../../wire/problem.ts'
import { edgeHeaders, signedFetch, TEST_SIGNING_SECRET } from '../../../../../test/local-driver/support.ts'
import { createLocalIngress } from './index.ts'
import type { IngressTarget, LocalIngress } from './index.ts'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

// Two "agent processes": each answers with its name, plus an SSE endpoint gated by the test and a WebSocket echo.
const sseGate = { release: () => {} }
function agentServer(name: string): { server: Server; wss: WebSocketServer } {
  const routes: Record<string, Handler> = {
    '/whoami': (req, res) => res.end(JSON.stringify({ name, tenantHost: req.headers[TENANT_HOST] })),
    '/echo': (req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      req.pipe(res)
    },
    '/events': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      res.write('data: one\n\n')
      // The second event is written only after the client has seen the first: a buffering proxy deadlocks here.
      sseGate.release = () => res.end('data: two\n\n')
    },
  }
  const server = createServer((req, res) => (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(req, res))
  const wss = new WebSocketServer({ server })
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`${name}:${String(data)}`)))
  return { server, wss }
}

const ada = agentServer('ada')
const bob = agentServer('bob')
const ports: Record<string, number> = {}
const open: Record<string, number> = {}
let ingress: LocalIngress
let closedPort: number

beforeAll(async () => {
  ports.ada = await listen(ada.server)
  ports.bob = await listen(bob.server)
  // A port nothing listens on: an agent process that died between routing and connecting.
  const gone = createServer()
  closedPort = await listen(gone)
  await new Promise((r) => gone.close(r))

  ingress = await createLocalIngress({
    signingSecret: TEST_SIGNING_SECRET,
    router: {
      route(tenantHost): IngressTarget {
        if (tenantHost === 'ada' || tenantHost === 'bob') return { kind: 'ready', agentId: `agt_${tenantHost}`, port: ports[tenantHost]! }
        if (tenantHost === 'sleepy') return { kind: 'no-endpoints', agentId: 'agt_sleepy' }
        if (tenantHost === 'vanished') return { kind: 'ready', agentId: 'agt_vanished', port: closedPort }
        return { kind: 'unknown' }
      },
      beginStream(agentId) {
        open[agentId] = (open[agentId] ?? 0) + 1
        return () => void (open[agentId]! -= 1)
      },
    },
  })
})

afterAll(async () => {
  await ingress.close()
  for (const { server, wss } of [ada, bob]) {
    for (const client of wss.clients) client.terminate()
    wss.close()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  }
})

async function problemOf(res: Response): Promise<{ code: string; status: number }> {
  expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE)
  return (await res.json()) as { code: string; status: number }
}

describe('local ingress', () => {
  it('routes each request by X-Tenant-Host to that agent', async () => {
    const toAda = await signedFetch(ingress.url, 'ada', '/whoami')
    const toBob = await signedFetch(ingress.url, 'bob', '/whoami')
    expect(await toAda.json()).toEqual({ name: 'ada', tenantHost: 'ada' })
    expect(await toBob.json()).toEqual({ name: 'bob', tenantHost: 'bob' })
  })

  it('verifies the edge\'s WebCrypto signature with the synchronous node:crypto HMAC, off the thread pool', async () => {
    const headers = await edgeHeaders('ada', 'GET', '/whoami')
    const sign = vi.spyOn(crypto.subtle, 'sign')
    try {
      const res = await fetch(`${ingress.url}/whoami`, { headers })
      expect(await res.json()).toEqual({ name: 'ada', tenantHost: 'ada' })
      expect(sign).not.toHaveBeenCalled()
    } finally {
      sign.mockRestore()
    }
  })

  it('refuses a request without an edge signature', async () => {
    const res = await fetch(`${ingress.url}/whoami`, { headers: { [TENANT_HOST]: 'ada' } })
    expect(res.status).toBe(401)
    expect(await problemOf(res)).toMatchObject({ code: 'edge-signature-invalid', status: 401 })
  })

  it('refuses a signed request whose X-Tenant-Host was changed after signing', async () => {
    const headers = await edgeHeaders('ada', 'GET', '/whoami')
    headers.set(TENANT_HOST, 'bob')
    const res = await fetch(`${ingress.url}/whoami`, { headers })
    expect(res.status).toBe(401)
    expect((await problemOf(res)).code).toBe('edge-signature-invalid')
  })

  it('refuses a request signed with another secret', async () => {
    const res = await signedFetch(ingress.url, 'ada', '/whoami', {}, 'another-secret-0123456789abcdef0123456789ab')
    expect(res.status).toBe(401)
    await res.body?.cancel()
  })

  it('answers 503 with the no-endpoints header for an agent that has no ready process', async () => {
    const res = await signedFetch(ingress.url, 'sleepy', '/whoami')
    expect(res.status).toBe(503)
    expect(res.headers.get(NO_ENDPOINTS)).toBe('1')
    expect((await problemOf(res)).code).toBe('no-endpoints')
  })

  it('answers 502 with the no-endpoints header when the agent process is gone', async () => {
    const res = await signedFetch(ingress.url, 'vanished', '/whoami')
    expect(res.status).toBe(502)
    expect(res.headers.get(NO_ENDPOINTS)).toBe('1')
    expect((await problemOf(res)).code).toBe('upstream-unavailable')
  })

  it('answers a tenant host it does not know with the same marked 503 (after a restart it knows none yet)', async () => {
    const res = await signedFetch(ingress.url, 'nobody', '/whoami')
    expect(res.status).toBe(503)
    expect(res.headers.get(NO_ENDPOINTS)).toBe('1')
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/)
    expect((await problemOf(res)).code).toBe('no-endpoints')
  })

  it('passes an agent\'s own 404 on unmarked', async () => {
    const res = await signedFetch(ingress.url, 'ada', '/no-such-page')
    expect(res.status).toBe(404)
    expect(res.headers.get(NO_ENDPOINTS)).toBeNull()
    await res.body?.cancel()
  })

  it('streams a request body through to the agent', async () => {
    const body = 'x'.repeat(256 * 1024)
    const res = await signedFetch(ingress.url, 'ada', '/echo', { method: 'POST', body })
    expect(await res.text()).toBe(body)
  })

  it('streams SSE event by event and counts the open stream until it ends', async () => {
    const res = await signedFetch(ingress.url, 'ada', '/events')
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let seen = ''
    while (!seen.includes('data: one\n\n')) seen += (await reader.read()).value ?? ''
    expect(seen).not.toContain('two')
    expect(open.agt_ada).toBe(1)

    sseGate.release()
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) seen += chunk.value
    expect(seen).toBe('data: one\n\ndata: two\n\n')
    await expect.poll(() => open.agt_ada).toBe(0)
  })

  it('proxies a WebSocket to the agent and counts it as open while connected', async () => {
    const headers = await edgeHeaders('bob', 'GET', '/chat')
    const socket = new WebSocket(`${ingress.url.replace('http', 'ws')}/chat`, { headers: Object.fromEntries(headers.entries()) })
    await new Promise((resolve, reject) => {
      socket.once('open', resolve)
      socket.once('error', reject)
    })
    expect(open.agt_bob).toBe(1)
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))))
    socket.send('hello')
    expect(await reply).toBe('bob:hello')
    socket.close()
    await expect.poll(() => open.agt_bob).toBe(0)
  })

  it('refuses an unsigned WebSocket upgrade with 401', async () => {
    const socket = new WebSocket(`${ingress.url.replace('http', 'ws')}/chat`, { headers: { [TENANT_HOST]: 'bob' } })
    const status = await new Promise<number>((resolve, reject) => {
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      socket.once('open', () => reject(new Error('upgrade was accepted')))
    })
    socket.on('error', () => {}) // terminate() reports the aborted handshake as an error; it is the expected outcome
    socket.terminate()
    expect(status).toBe(401)
  })

  it.each(['sleepy', 'nobody'])('answers a WebSocket upgrade for %s (asleep, unknown) with 503 and the no-endpoints header', async (slug) => {
    const headers = await edgeHeaders(slug, 'GET', '/chat')
    const socket = new WebSocket(`${ingress.url.replace('http', 'ws')}/chat`, { headers: Object.fromEntries(headers.entries()) })
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      socket.once('unexpected-response', (_req, r) => resolve(r))
      socket.once('open', () => reject(new Error('upgrade was accepted')))
    })
    socket.on('error', () => {}) // terminate() reports the aborted handshake as an error; it is the expected outcome
    socket.terminate()
    expect(res.statusCode).toBe(503)
    expect(res.headers[NO_ENDPOINTS]).toBe('1')
  })
})
