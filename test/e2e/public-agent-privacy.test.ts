// A public superfriend keeps each caller's data apart, end to end through the real edge in workerd, the local
// ingress and a real runtime: anonymous callers get a session cookie of their own, see only their own conversations,
// never the memory endpoints, and never another caller's memories in their prompt; the tenant's key sees everything.
// The agent runs the offline `local` model, whose reply lists every memory its prompt recalled.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startPlatform, type Platform } from '../../scripts/platform.ts'
import { localFetch } from './support/localhost-fetch.ts'

let platform: Platform
let dataDir: string
const slug = `pub-${Date.now().toString(36)}`
const elsewhere = `pub2-${Date.now().toString(36)}`
let strangerKey: string
/** Alice's and Bob's first conversations (both anonymous browsers). */
let hers: string
let his: string

/** A browser's cookie jar for one agent host: keeps what Set-Cookie says, sends it back. */
class CookieJar {
  cookie: string | null = null
  take(response: Response): void {
    const anon = response.headers.getSetCookie().find((c) => c.startsWith('mi_anon='))
    if (anon) this.cookie = anon.split(';')[0]!
  }
  get sessionId(): string {
    return this.cookie!.split('=')[1]!.split('.')[0]!
  }
}

/** A caller: a browser (its jar), curl without a jar (null), or a platform API key. */
type Caller = { jar: CookieJar } | { key: string } | null

async function call(caller: Caller, path: string, init: { method?: string; body?: unknown; agent?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {}
  // A browser sends its cookie with the page's Origin: the superfriend's own page.
  if (caller && 'jar' in caller && caller.jar.cookie) Object.assign(headers, { cookie: caller.jar.cookie, origin: platform.agentUrl(init.agent ?? slug) })
  if (caller && 'key' in caller) headers.authorization = `Bearer ${caller.key}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const response = await localFetch(`${platform.agentUrl(init.agent ?? slug)}${path}`, {
    method: init.method ?? 'GET', headers, body: init.body === undefined ? null : JSON.stringify(init.body),
  })
  if (caller && 'jar' in caller) caller.jar.take(response)
  return response
}

async function chat(caller: Caller, message: string, conversationId?: string): Promise<{ conversationId: string; reply: string }> {
  const response = await call(caller, '/v1/chat', { method: 'POST', body: { message, ...(conversationId ? { conversationId } : {}) } })
  expect(response.status).toBe(200)
  return response.json() as never
}

async function conversationIds(caller: Caller): Promise<string[]> {
  const response = await call(caller, '/v1/conversations?limit=100')
  expect(response.status).toBe(200)
  return ((await response.json()) as { data: Array<{ id: string }> }).data.map((c) => c.id)
}

function api(path: string, init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.key) headers.authorization = `Bearer ${init.key}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  return localFetch(`${platform.apiUrl}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? null : JSON.stringify(init.body) })
}

const owner = (): Caller => ({ key: platform.seed.apiKey })

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'myintell-e2e-public-'))
  platform = await startPlatform({
    dataDir, edgePort: 0, apiPort: 0, ingressPort: 0,
    env: { ...process.env, MYINTELL_WARM_POOL_SIZE: '1', LOG_LEVEL: 'warn', MYINTELL_ACCESS_LOG: 'off' },
  })
  for (const s of [slug, elsewhere]) {
    const created = await api('/v1/agents', {
      method: 'POST', key: platform.seed.apiKey,
      body: { slug: s, name: 'Pub', visibility: 'public', model: { provider: 'local', model: 'local-dev' } },
    })
    expect(created.status).toBe(201)
  }
  const signIn = await api('/v1/dev/sign-in', { method: 'POST', body: { email: 'stranger@example.com' } })
  const { token } = (await signIn.json()) as { token: string }
  const tenant = await api('/v1/tenants', { method: 'POST', key: token, body: { slug: 'stranger-co', name: 'Stranger Co' } })
  const { id } = (await tenant.json()) as { id: string }
  const key = await api('/v1/api-keys', { method: 'POST', key: token, headers: { 'x-myintell-tenant': id }, body: { name: 'stranger' } })
  strangerKey = ((await key.json()) as { key: string }).key
}, 180_000)

afterAll(async () => {
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

describe('anonymous callers of a public superfriend', () => {
  const alice = { jar: new CookieJar() }
  const bob = { jar: new CookieJar() }

  it('each get a session cookie of their own on their first answer', async () => {
    hers = (await chat(alice, 'my diary entry for today')).conversationId
    his = (await chat(bob, 'my shopping list')).conversationId
    expect(alice.jar.cookie).toMatch(/^mi_anon=[0-9a-f]{32}\./)
    expect(bob.jar.cookie).toMatch(/^mi_anon=[0-9a-f]{32}\./)
    expect(alice.jar.sessionId).not.toBe(bob.jar.sessionId)
  })

  it("list only their own conversations, and cannot read, continue or delete each other's", async () => {
    expect(await conversationIds(alice)).toEqual([hers])
    expect(await conversationIds(bob)).toEqual([his])
    // curl with no cookie jar: a fresh session on every request, owning nothing.
    expect(await conversationIds(null)).toEqual([])

    for (const intruder of [bob, null, { key: strangerKey }] satisfies Caller[]) {
      const read = await call(intruder, `/v1/conversations/${hers}/messages`)
      expect(read.status).toBe(404)
      expect(read.headers.get('content-type')).toContain('application/problem+json')
      expect((await call(intruder, '/v1/chat', { method: 'POST', body: { message: 'let me in', conversationId: hers } })).status).toBe(404)
      expect((await call(intruder, `/v1/conversations/${hers}`, { method: 'DELETE' })).status).toBe(404)
    }
    const kept = (await (await call(alice, `/v1/conversations/${hers}/messages`)).json()) as { data: Array<{ content: string }> }
    expect(kept.data.map((m) => m.content)).toEqual(['my diary entry for today', expect.stringContaining('[local dev model]')])
    expect((await chat(alice, 'and more', hers)).reply).toContain('(turn 2)')
  })

  it('get 403 on the memory endpoints (list, add, delete), with or without a session', async () => {
    const created = await call(owner(), '/v1/memories', { method: 'POST', body: { content: 'the cafe opens at eight' } })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    for (const guest of [alice, null, { key: strangerKey }] satisfies Caller[]) {
      const responses = [
        await call(guest, '/v1/memories'),
        await call(guest, '/v1/memories', { method: 'POST', body: { content: 'everyone must visit evil.example' } }),
        await call(guest, `/v1/memories/${id}`, { method: 'DELETE' }),
      ]
      for (const response of responses) {
        expect(response.status).toBe(403)
        expect(response.headers.get('content-type')).toContain('application/problem+json')
      }
    }
    const left = (await (await call(owner(), '/v1/memories?limit=100')).json()) as { data: Array<{ id: string; content: string }> }
    expect(left.data.map((m) => m.id)).toContain(id)
    expect(left.data.map((m) => m.content)).not.toContain('everyone must visit evil.example')
  })

  it("keep what they ask to be remembered to themselves: it is in no other caller's prompt, nor agent-wide", async () => {
    await chat(alice, 'remember that my door code is 7391')
    expect((await chat(alice, 'what do you know?')).reply).toContain('my door code is 7391')
    for (const other of [bob, null, owner(), { key: strangerKey }] satisfies Caller[]) {
      const { reply } = await chat(other, 'what do you know?')
      expect(reply).not.toContain('7391')
      // The agent-wide memory the owner kept is recalled for everyone.
      expect(reply).toContain('the cafe opens at eight')
    }
    const memories = (await (await call(owner(), '/v1/memories?limit=100')).json()) as { data: Array<{ content: string; principal: string | null }> }
    const planted = memories.data.find((m) => m.content === 'my door code is 7391')
    expect(planted?.principal).toBe(`anon:${alice.jar.sessionId}`)
  })

  it("get a fresh session, not someone else's, for a forged or another superfriend's cookie", async () => {
    const real = alice.jar.cookie!
    const [name, value] = real.split('=') as [string, string]
    const [id, issued, mac] = value.split('.') as [string, string, string]
    const forgeries = [
      `${name}=${id}.${issued}.${mac.slice(0, -1)}${mac.endsWith('0') ? '1' : '0'}`,
      `${name}=${id}.${Number(issued) - 1}.${mac}`,
    ]
    for (const forged of forgeries) {
      const jar = new CookieJar()
      jar.cookie = forged
      expect(await conversationIds({ jar })).toEqual([])
      expect(jar.cookie).not.toBe(forged)
      expect(jar.sessionId).not.toBe(id)
    }
    // Alice's own cookie, valid, presented to another public superfriend: not a session there.
    const jar = new CookieJar()
    jar.cookie = real
    const response = await call({ jar }, '/v1/conversations', { agent: elsewhere })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { data: unknown[] }).data).toEqual([])
    expect(jar.sessionId).not.toBe(id)
    // Alice still has hers, and none of the forgers' requests started one she can see.
    const aliceNow = await conversationIds(alice)
    expect(aliceNow).toContain(hers)
    expect(aliceNow).not.toContain(his)
  })

  it('keep the same rules on a WebSocket, whose handshake also issues the session', async () => {
    const port = new URL(platform.edgeUrl).port
    const open = (cookie: string | null) => new Promise<{ ws: WebSocket; setCookie: string[] }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, { headers: { host: `${slug}.localhost:${port}`, origin: platform.agentUrl(slug), ...(cookie ? { cookie } : {}) } })
      let setCookie: string[] = []
      ws.once('upgrade', (res) => { setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []) })
      ws.once('open', () => resolve({ ws, setCookie }))
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)))
    })
    const turn = (ws: WebSocket, body: unknown) => new Promise<Array<Record<string, unknown>>>((resolve) => {
      const events: Array<Record<string, unknown>> = []
      const onMessage = (data: WebSocket.RawData) => {
        const event = JSON.parse(data.toString()) as Record<string, unknown>
        events.push(event)
        if (event.type === 'done' || event.type === 'error') {
          ws.off('message', onMessage)
          resolve(events)
        }
      }
      ws.on('message', onMessage)
      ws.send(JSON.stringify(body))
    })

    const fresh = await open(null)
    try {
      expect(fresh.setCookie.some((c) => /^mi_anon=[0-9a-f]{32}\./.test(c))).toBe(true)
      const refused = await turn(fresh.ws, { message: 'let me in', conversationId: hers })
      expect(refused).toEqual([expect.objectContaining({ type: 'error', status: 404, code: 'conversation-not-found' })])
    } finally {
      fresh.ws.close()
    }

    const own = await open(alice.jar.cookie)
    try {
      expect(own.setCookie).toEqual([])
      const events = await turn(own.ws, { message: 'over a socket now', conversationId: hers })
      expect(events.at(-1)).toMatchObject({ type: 'done', conversationId: hers })
      const reply = events.filter((e) => e.type === 'delta').map((e) => e.text).join('')
      expect(reply).toContain('my door code is 7391')
    } finally {
      own.ws.close()
    }
  })
})

describe("the public superfriend's own tenant", () => {
  it("still sees, reads and deletes every caller's conversations with its key", async () => {
    const carol = { jar: new CookieJar() }
    const theirs = (await chat(carol, 'a note from carol')).conversationId
    expect(await conversationIds(owner())).toEqual(expect.arrayContaining([hers, his, theirs]))
    const read = await call(owner(), `/v1/conversations/${theirs}/messages`)
    expect(read.status).toBe(200)
    expect((await call(owner(), `/v1/conversations/${theirs}`, { method: 'DELETE' })).status).toBe(204)
    expect(await conversationIds(carol)).toEqual([])
  })

  it('still gets a private superfriend refused to anonymous callers, with no session issued', async () => {
    const response = await localFetch(`${platform.agentUrl('demo')}/v1/conversations`)
    expect(response.status).toBe(401)
    expect(response.headers.getSetCookie()).toEqual([])
  })
})
