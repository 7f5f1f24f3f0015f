// http_fetch through the AI SDK against a real local HTTP server: it reaches the server only when the operator's
// allowlist lets it, refuses loopback, private and metadata addresses before connecting, judges every redirect and the
// address a name resolves to at connect time (DNS rebinding), and bounds what it reads.
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LookupAddress } from 'node:dns'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { egressPolicy } from '../../../wire/egress.ts'
import { isError, runTool } from '../../../test/support/scripted-tool-model.ts'
import { egressFetch } from './egress-fetch.ts'
import { externalTools } from './external.ts'
import type { ExternalTools } from './external.ts'
import { HTTP_FETCH_MAX_RESPONSE_BYTES, httpFetchTool } from './http-fetch.ts'

interface Seen { method: string; path: string; headers: IncomingHttpHeaders; body: string }
let server: Server
let port: number
const seen: Seen[] = []
let connections = 0

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => {
      const path = req.url ?? '/'
      seen.push({ method: req.method ?? '', path, headers: req.headers, body })
      if (path === '/hello') return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('hello from a local server')
      if (path === '/echo') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] ?? null }))
      if (path === '/big') return res.writeHead(200, { 'content-type': 'text/plain' }).end('a'.repeat(HTTP_FETCH_MAX_RESPONSE_BYTES + 50_000))
      if (path === '/binary') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(1000))
      if (path === '/hang') return // never answers
      if (path === '/loop') return res.writeHead(302, { location: '/loop' }).end()
      if (path === '/see-other') return res.writeHead(303, { location: '/echo' }).end()
      const to = /^\/redirect\?to=(.+)$/.exec(path)
      if (to) return res.writeHead(302, { location: decodeURIComponent(to[1]!) }).end()
      res.writeHead(404).end()
    })
  })
  server.on('connection', () => { connections++ })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) })

const open: ExternalTools[] = []
afterEach(async () => { await Promise.all(open.splice(0).map((t) => t.close())) })

/** Names the tests resolve themselves; anything else goes to the system resolver (localhost → 127.0.0.1). */
function resolver(names: Record<string, string[] | (() => string[])>) {
  return async (host: string): Promise<LookupAddress[]> => {
    const entry = names[host]
    const addresses = typeof entry === 'function' ? entry() : entry ?? (host === 'localhost' ? ['127.0.0.1'] : [])
    if (addresses.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
}

async function fetchTools(allow: string | undefined, names: Record<string, string[] | (() => string[])> = {}) {
  const tools = await externalTools({
    enabled: ['http_fetch'], mcpServers: [], secrets: {}, egress: egressPolicy(allow),
    workspaceDir: null, workspaceQuotaBytes: 0, resolve: resolver(names),
  })
  open.push(tools)
  return tools.tools
}

describe('http_fetch outside the allowlist', () => {
  it.each([
    ['127.0.0.1', () => `http://127.0.0.1:${port}/hello`],
    ['localhost', () => `http://localhost:${port}/hello`],
    ['[::ffff:127.0.0.1]', () => `http://[::ffff:127.0.0.1]:${port}/hello`],
    ['[::1]', () => `http://[::1]:${port}/hello`],
    ['127.1 (shorthand)', () => `http://127.1:${port}/hello`],
    ['2130706433 (127.0.0.1 as a number)', () => `http://2130706433:${port}/hello`],
    ['0.0.0.0', () => `http://0.0.0.0:${port}/hello`],
    ['10.0.0.1', () => 'http://10.0.0.1/'],
    ['169.254.169.254 (cloud metadata)', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a public name that resolves to 10.0.0.1', () => 'http://intranet.example.com/'],
  ])('refuses %s before connecting', async (_, url) => {
    const before = connections
    const result = await runTool(await fetchTools(undefined, { 'intranet.example.com': ['10.0.0.1'] }), 'http_fetch', { url: url() })
    expect(isError(result)).toBe(true)
    expect(String(result.value)).toMatch(/private or reserved address .*MYINTELL_EGRESS_ALLOW/)
    expect(connections).toBe(before)
  })

  it('refuses what is not http(s) and URLs with credentials', async () => {
    const tools = await fetchTools('127.0.0.1')
    for (const url of ['file:///etc/passwd', `ftp://127.0.0.1:${port}/`, `http://user:pw@127.0.0.1:${port}/hello`]) {
      const result = await runTool(tools, 'http_fetch', { url })
      expect(isError(result)).toBe(true)
      expect(String(result.value)).toMatch(/must be an http or https URL|may not carry credentials/)
    }
  })

  it('refuses a name that passed the first check but resolves to loopback when connecting (DNS rebinding)', async () => {
    let lookups = 0
    // Public when judged, loopback a moment later when the socket asks.
    const rebinding = () => (lookups++ === 0 ? ['93.184.215.14'] : ['127.0.0.1'])
    const before = connections
    const result = await runTool(await fetchTools(undefined, { 'rebind.example.com': rebinding }), 'http_fetch', { url: `http://rebind.example.com:${port}/hello` })
    expect(isError(result)).toBe(true)
    expect(String(result.value)).toMatch(/rebind\.example\.com resolves to 127\.0\.0\.1/)
    expect(lookups).toBe(2)
    expect(connections).toBe(before)
  })
})

describe('http_fetch with the operator allowlist', () => {
  it('GETs a local server when 127.0.0.1 is allowed', async () => {
    const result = await runTool(await fetchTools('127.0.0.1'), 'http_fetch', { url: `http://127.0.0.1:${port}/hello` })
    expect(result).toMatchObject({ type: 'json', value: { status: 200, body: 'hello from a local server', truncated: false, contentType: 'text/plain; charset=utf-8' } })
  })

  it('POSTs a body with the headers the model set', async () => {
    const result = await runTool(await fetchTools('127.0.0.0/8'), 'http_fetch', {
      url: `http://127.0.0.1:${port}/echo`, method: 'POST', headers: { 'content-type': 'application/json', 'x-test': 'yes' }, body: '{"q":1}',
    })
    expect(result.value).toMatchObject({ status: 200 })
    expect(JSON.parse((result.value as { body: string }).body)).toEqual({ method: 'POST', body: '{"q":1}', type: 'application/json' })
    expect(seen.at(-1)?.headers['x-test']).toBe('yes')
  })

  it('allows a host name on the allowlist, judged by name', async () => {
    const result = await runTool(await fetchTools('dev.internal', { 'dev.internal': ['127.0.0.1'] }), 'http_fetch', { url: `http://dev.internal:${port}/hello` })
    expect(result.value).toMatchObject({ status: 200, body: 'hello from a local server' })
  })

  it('refuses a redirect to a private address the allowlist does not cover, without requesting it', async () => {
    const tools = await fetchTools('dev.internal', { 'dev.internal': ['127.0.0.1'] })
    const target = `http://127.0.0.1:${port}/hello`
    const before = seen.length
    const result = await runTool(tools, 'http_fetch', { url: `http://dev.internal:${port}/redirect?to=${encodeURIComponent(target)}` })
    expect(isError(result)).toBe(true)
    expect(String(result.value)).toMatch(/127\.0\.0\.1.*private or reserved address/)
    expect(seen.slice(before).map((s) => s.path)).toEqual([`/redirect?to=${encodeURIComponent(target)}`])
  })

  it('refuses a redirect to cloud metadata', async () => {
    const result = await runTool(await fetchTools('127.0.0.1'), 'http_fetch', { url: `http://127.0.0.1:${port}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/')}` })
    expect(isError(result)).toBe(true)
    expect(String(result.value)).toMatch(/169\.254\.169\.254/)
  })

  it('follows allowed redirects, turns a 303 into a GET, and drops Authorization when the origin changes', async () => {
    const tools = await fetchTools('127.0.0.1', { 'other.example.com': ['127.0.0.1'] })
    const seeOther = await runTool(tools, 'http_fetch', { url: `http://127.0.0.1:${port}/see-other`, method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } })
    expect(JSON.parse((seeOther.value as { body: string }).body)).toMatchObject({ method: 'GET', body: '' })

    const before = seen.length
    const cross = await runTool(tools, 'http_fetch', {
      url: `http://127.0.0.1:${port}/redirect?to=${encodeURIComponent(`http://other.example.com:${port}/hello`)}`, headers: { authorization: 'Bearer for-the-first-site' },
    })
    expect(cross.value).toMatchObject({ status: 200, url: `http://other.example.com:${port}/hello` })
    const [first, second] = seen.slice(before)
    expect(first?.headers.authorization).toBe('Bearer for-the-first-site')
    expect(second?.headers.authorization).toBeUndefined()
  })

  it('gives up after 5 redirects', async () => {
    const result = await runTool(await fetchTools('127.0.0.1'), 'http_fetch', { url: `http://127.0.0.1:${port}/loop` })
    expect(isError(result)).toBe(true)
    expect(String(result.value)).toMatch(/more than 5 redirects/)
  })

  it('cuts a large response off at 256 KB with a note', async () => {
    const result = await runTool(await fetchTools('127.0.0.1'), 'http_fetch', { url: `http://127.0.0.1:${port}/big` })
    const value = result.value as { body: string; truncated: boolean; note: string }
    expect(value.body).toHaveLength(HTTP_FETCH_MAX_RESPONSE_BYTES)
    expect(value.truncated).toBe(true)
    expect(value.note).toMatch(/cut off after 262144 bytes/)
  })

  it('does not hand binary content to the model', async () => {
    const result = await runTool(await fetchTools('127.0.0.1'), 'http_fetch', { url: `http://127.0.0.1:${port}/binary` })
    expect(result.value).toMatchObject({ status: 200, body: null, note: expect.stringMatching(/image\/png content \(1000 bytes\) is not shown/) })
  })

  it('gives up on a server that does not answer in time', async () => {
    const net = await egressFetch(egressPolicy('127.0.0.1'))
    try {
      const result = await runTool({ http_fetch: httpFetchTool({ fetch: net.fetch, timeoutMs: 300 }) }, 'http_fetch', { url: `http://127.0.0.1:${port}/hang` })
      expect(isError(result)).toBe(true)
      expect(String(result.value)).toMatch(/no complete answer within 0.3 s/)
    } finally {
      await net.close()
    }
  })

  it('refuses headers that belong to the connection, and a body on a GET', async () => {
    const tools = await fetchTools('127.0.0.1')
    const host = await runTool(tools, 'http_fetch', { url: `http://127.0.0.1:${port}/hello`, headers: { host: 'example.com' } })
    expect(String(host.value)).toMatch(/header host may not be set/)
    const body = await runTool(tools, 'http_fetch', { url: `http://127.0.0.1:${port}/hello`, body: 'x' })
    expect(String(body.value)).toMatch(/a body needs method POST/)
  })
})
