// The request body limit on a real @hono/node-server listener, served exactly as server.ts serves the app:
// bodyless requests stay light, declared and chunked bodies over 1 MiB get 413, a GET's declared body is ignored,
// a chunked GET/HEAD body is refused with 400.
import { egressPolicy } from '../../wire/egress.ts'
import type { AgentSecrets } from './secrets/agent-secrets.ts'
import { serve, type ServerType } from '@hono/node-server'
import { connect } from 'node:net'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, MAX_BODY_BYTES } from './app.ts'
import type { ApiDeps } from './context.ts'
import type { Db } from './db/types.ts'
import type { Workloads } from './workloads/workloads.ts'

/**
 * @hono/node-server's private symbol for the full undici Request it builds behind the lightweight one (what reading
 * `body` does). It is set only once a Request is built, so it is learnt in beforeAll from a request whose body stream
 * was read; without it every `built: false` below would hold vacuously, so its absence fails the file.
 */
let requestCache: symbol | undefined

function learnRequestCache(raw: Request): void {
  requestCache ??= Object.getOwnPropertySymbols(raw).find((s) => s.description === 'requestCache')
}

/** Whether @hono/node-server built its full undici Request behind the lightweight one. */
function builtFullRequest(raw: Request): boolean {
  if (!requestCache) throw new Error('@hono/node-server\'s requestCache symbol is unknown: update builtFullRequest')
  return (raw as unknown as Record<symbol, unknown>)[requestCache] !== undefined
}

let server: ServerType
let port: number

beforeAll(async () => {
  const deps = {
    db: {} as Db, driver: null, tenantDatabases: null, signingSecret: 'app-test-signing-secret-0123456789abcdef',
    idleTimeoutMs: 1_000, scalerToken: null, runtimeSecrets: {}, logger: pino({ level: 'silent' }),
    secrets: {} as AgentSecrets, egress: { policy: egressPolicy(undefined), resolve: async () => [] }, workspaceRoot: null,
  } satisfies ApiDeps
  const app = createApp({
    deps,
    workloads: {} as Workloads,
    mount: (app) => {
      app.post('/learn', async (c) => {
        await new Response(c.req.raw.body).arrayBuffer()
        learnRequestCache(c.req.raw)
        return c.body(null, 204)
      })
      app.all('/probe', async (c) => {
        const lightweight = inspect(c.req.raw).startsWith('Request (lightweight)')
        const built = builtFullRequest(c.req.raw)
        // Read through the body stream, as a handler parsing JSON does: this is what builds the full Request.
        const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? null : await new Response(c.req.raw.body).text()
        const builtAfterRead = builtFullRequest(c.req.raw)
        c.header('x-probe', JSON.stringify({ lightweight, built }))
        return c.json({ method: c.req.method, lightweight, built, builtAfterRead, bodyLength: body?.length ?? null })
      })
    },
  })
  const address = await new Promise<AddressInfo>((resolve) => { server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, resolve) })
  port = address.port
  expect((await fetch(`http://127.0.0.1:${port}/learn`, { method: 'POST', body: 'x' })).status).toBe(204)
  expect(requestCache, '@hono/node-server no longer keeps its built Request under a "requestCache" symbol').toBeDefined()
})

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve())
    ;(server as unknown as { closeAllConnections(): void }).closeAllConnections()
  })
})

/** Sends raw bytes on one connection and collects what comes back until the server has answered `responses` times. */
function exchange(raw: string, responses: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw))
    let received = ''
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`timed out; received:\n${received}`)) }, 5_000)
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      received += chunk
      if ((received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length >= responses && /\r\n\r\n[\s\S]*\}$/.test(received)) {
        clearTimeout(timer)
        socket.destroy()
        resolve(received)
      }
    })
    socket.on('error', reject)
  })
}

/**
 * Sends `head`, then body chunks every 10 ms that never end, and reports what came back and whether the server
 * closed the connection (within 3 s; Node's own requestTimeout would wait 300 s).
 */
function streamEndlessChunkedBody(head: string): Promise<{ received: string; closed: boolean }> {
  return new Promise((resolve) => {
    let received = ''
    let done = false
    const socket = connect(port, '127.0.0.1', () => socket.write(head))
    const finish = (closed: boolean) => {
      if (done) return
      done = true
      clearInterval(drip)
      clearTimeout(giveUp)
      socket.destroy()
      resolve({ received, closed })
    }
    const drip = setInterval(() => { if (socket.writable) socket.write(`400\r\n${'x'.repeat(1024)}\r\n`) }, 10)
    const giveUp = setTimeout(() => finish(false), 3_000)
    socket.setEncoding('latin1').on('data', (chunk: string) => { received += chunk })
    socket.on('end', () => finish(true)).on('close', () => finish(true)).on('error', () => finish(true))
  })
}

function post(headers: Record<string, string | number>, write: (req: ReturnType<typeof request>) => void): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/probe', method: 'POST', headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk }).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('error', (err) => (err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err))
    write(req)
  })
}

describe('request body limit', () => {
  it('builds no full Request for requests without a body (GET, HEAD, DELETE)', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`http://127.0.0.1:${port}/probe`, { method })
      expect(await res.json(), method).toMatchObject({ lightweight: true, built: false })
    }
    const head = await fetch(`http://127.0.0.1:${port}/probe`, { method: 'HEAD' })
    expect(JSON.parse(head.headers.get('x-probe')!)).toEqual({ lightweight: true, built: false })
  })

  it('sees a full Request once a handler reads the body stream (control for the bodyless checks)', async () => {
    const res = await post({ 'content-length': 2 }, (req) => req.end('{}'))
    // A declared length is judged from the header: the body limit builds nothing; the handler's read does.
    expect(JSON.parse(res.body)).toEqual({ method: 'POST', lightweight: true, built: false, builtAfterRead: true, bodyLength: 2 })
  })

  it('passes a body within the limit through whole, declared or chunked', async () => {
    const body = 'x'.repeat(64 * 1024)
    const declared = await post({ 'content-length': body.length }, (req) => req.end(body))
    expect(JSON.parse(declared.body)).toMatchObject({ method: 'POST', bodyLength: body.length })
    const chunked = await post({ 'transfer-encoding': 'chunked' }, (req) => { req.write(body); req.end(body) })
    expect(JSON.parse(chunked.body)).toMatchObject({ method: 'POST', bodyLength: 2 * body.length })
  })

  it('answers a declared Content-Length over 1 MiB with 413 problem+json before reading it', async () => {
    const res = await post({ 'content-length': MAX_BODY_BYTES + 1 }, (req) => req.write('x'))
    expect(res.status).toBe(413)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.headers.connection).toBe('close')
    expect(JSON.parse(res.body)).toMatchObject({ status: 413, code: 'payload-too-large' })
  })

  it('answers a chunked body with 413 problem+json once it passes 1 MiB', async () => {
    const res = await post({ 'transfer-encoding': 'chunked' }, (req) => {
      req.write('x'.repeat(MAX_BODY_BYTES))
      req.end('y')
    })
    expect(res.status).toBe(413)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(JSON.parse(res.body)).toMatchObject({ code: 'payload-too-large' })
  })

  it('ignores the declared body of a GET whole, and answers the next request on the connection', async () => {
    // The body looks like a request: it must be neither handed to the handler nor parsed as the next request.
    const hidden = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n'
    const declared = await exchange(
      `GET /probe HTTP/1.1\r\nHost: x\r\nContent-Length: ${hidden.length}\r\n\r\n${hidden}` +
      'GET /probe HTTP/1.1\r\nHost: x\r\n\r\n', 2)
    expect(declared.match(/HTTP\/1\.1 200/g)).toHaveLength(2)
    expect(declared).not.toContain('404')
    expect(declared).toContain('"built":false')
  })

  it('answers a GET or HEAD with a chunked body 400 problem+json and closes the connection while the body still streams', async () => {
    for (const method of ['GET', 'HEAD']) {
      const { received, closed } = await streamEndlessChunkedBody(`${method} /probe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`)
      expect(closed, method).toBe(true)
      expect(received, method).toMatch(/^HTTP\/1\.1 400/)
      expect(received.toLowerCase(), method).toContain('connection: close')
      expect(received, method).toContain('content-type: application/problem+json')
      if (method === 'GET') expect(received).toContain('"code":"body-not-allowed"')
      // Refused from the headers alone: the handler never ran, so nothing after the body is parsed as a request.
      expect(received).not.toContain('"lightweight"')
      expect(received.match(/HTTP\/1\.1 /g), method).toHaveLength(1)
    }
  })

  it('answers a GET that declares a body over 1 MiB with 413, as for any method', async () => {
    const res = await exchange(`GET /probe HTTP/1.1\r\nHost: x\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\nxx`, 1)
    expect(res).toMatch(/^HTTP\/1\.1 413/)
    expect(res).toContain('payload-too-large')
  })
})
