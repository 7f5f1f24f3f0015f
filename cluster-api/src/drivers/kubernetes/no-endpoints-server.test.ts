// The answerer behind Traefik's catch-all route, as its own process: every request, whatever its host, path, method or
// body, and every WebSocket upgrade get the marked 503 that sends the edge back through the gate.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { NO_ENDPOINTS, TENANT_HOST } from '../../../../wire/headers.ts'
import { PROBLEM_CONTENT_TYPE } from '../../../../wire/problem.ts'

const MAIN = fileURLToPath(new URL('./no-endpoints-main.ts', import.meta.url))
let child: ReturnType<typeof spawn>
let url: string

beforeAll(async () => {
  child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`no-endpoints exited early (${code})`)))
  })
  url = `http://127.0.0.1:${port}`
})

afterAll(async () => {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  expect(await exited).toBe(0)
})

describe('the no-endpoints answerer', () => {
  it.each([
    ['GET', '/v1/conversations', undefined, { [TENANT_HOST]: 'sleeping-agent' }],
    ['POST', '/v1/chat', JSON.stringify({ message: 'hello' }), { [TENANT_HOST]: 'agent-nobody-knows', 'content-type': 'application/json' }],
    ['DELETE', '/', undefined, {}],
  ])('answers %s %s with the marked 503 problem and Retry-After', async (method, path, body, headers) => {
    const res = await fetch(url + path, { method, headers, body })
    expect(res.status).toBe(503)
    expect(res.headers.get(NO_ENDPOINTS)).toBe('1')
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE)
    expect(await res.json()).toMatchObject({ status: 503, code: 'no-endpoints' })
  })

  it('keeps serving on one connection after a request whose body it never read', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}/v1/chat`, { method: 'POST', body: 'x'.repeat(200_000) })
      expect(res.status).toBe(503)
      await res.body?.cancel()
    }
  })

  it('answers a WebSocket upgrade with the marked 503', async () => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/v1/ws`, { headers: { [TENANT_HOST]: 'sleeping-agent' } })
    socket.on('error', () => {}) // the refused handshake is the expected outcome
    const res = await new Promise<{ statusCode?: number; headers: Record<string, unknown> }>((resolve, reject) => {
      socket.once('unexpected-response', (_req, r) => resolve(r))
      socket.once('open', () => reject(new Error('upgrade was accepted')))
    })
    socket.terminate()
    expect(res.statusCode).toBe(503)
    expect(res.headers[NO_ENDPOINTS]).toBe('1')
  })
})
