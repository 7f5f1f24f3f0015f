// The real edge Worker (workerd, via wrangler) in front of a wire-exact cluster-api and origin: routing,
// header trust, authentication and authorization, streaming and WebSockets straight after a wake.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { COLD_START, EDGE_SIGNATURE, EDGE_TIMESTAMP, FORWARDED_HOST, TENANT_HOST, TENANT_ID, AGENT_ID, PRINCIPAL } from '../../wire/headers.ts'
import { signHeaders } from '../../wire/signature.ts'
import { agentSecret } from '../../wire/node-hmac.ts'
import { edgeRequest, json, openEdgeRequest } from './support/edge-client.ts'
import { startEdgeWorker, type EdgeWorker } from './support/edge-worker.ts'
import { FAKE_AUDIENCE, FAKE_ISSUER, startFakePlatform, type FakePlatform } from './support/fake-platform.ts'

const SECRET = 'integration-test-secret-0123456789abcdef'
let platform: FakePlatform
let edge: EdgeWorker

beforeAll(async () => {
  platform = await startFakePlatform(SECRET)
  edge = await startEdgeWorker({
    clusterUrl: platform.clusterUrl, originUrl: platform.originUrl, secret: SECRET,
    vars: {
      AUTH_JWKS_URL: `${platform.clusterUrl}/.well-known/jwks.json`, AUTH_ISSUER: FAKE_ISSUER, AUTH_AUDIENCE: FAKE_AUDIENCE,
      USAGE_FLUSH_INTERVAL_MS: '200',
    },
  })
})

afterAll(async () => {
  await edge?.dispose()
  await platform?.close()
})

describe('hosts', () => {
  it('serves the landing page on the bare domain and www', async () => {
    for (const host of ['localhost', 'www.localhost']) {
      const reply = await edgeRequest(edge.url, host)
      expect(reply.status).toBe(200)
      expect(reply.body).toContain('myintell.ai')
    }
  })

  it('serves the dashboard (static assets) on app.', async () => {
    const reply = await edgeRequest(edge.url, 'app.localhost', '/')
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toContain('text/html')
    expect(reply.body.toLowerCase()).toContain('<!doctype html>')
  })

  it('never answers an agent host from the dashboard assets', async () => {
    platform.addAgent({ slug: 'assets-not-here', visibility: 'public', running: true })
    const reply = await edgeRequest(edge.url, 'assets-not-here.localhost', '/')
    expect(json(reply).agent).toBe('assets-not-here')
  })

  it('answers an unknown slug with 404 problem+json', async () => {
    const reply = await edgeRequest(edge.url, 'nobody-here.localhost', '/')
    expect(reply.status).toBe(404)
    expect(reply.headers['content-type']).toBe('application/problem+json')
    expect(json(reply).code).toBe('unknown-agent')
  })

  it('answers a foreign host with 404 and never names an internal host', async () => {
    const reply = await edgeRequest(edge.url, 'evil.example.com', '/')
    expect(reply.status).toBe(404)
    expect(reply.body).not.toContain('127.0.0.1')
  })
})

describe('header trust', () => {
  it('never lets a spoofed X-Tenant-Host reach another agent', async () => {
    const victim = platform.addAgent({ slug: 'victim-agent', running: true })
    const attacker = platform.addAgent({ slug: 'attacker-agent', visibility: 'public', running: true })
    const reply = await edgeRequest(edge.url, 'attacker-agent.localhost', '/whoami', {
      headers: {
        [TENANT_HOST]: 'victim-agent', [TENANT_ID]: victim.tenantId, [AGENT_ID]: victim.agentId,
        [PRINCIPAL]: 'user:admin', [EDGE_SIGNATURE]: 'v1=00', [EDGE_TIMESTAMP]: String(Date.now()),
        [FORWARDED_HOST]: 'victim-agent.localhost', 'x-tenant-host-extra': 'victim-agent',
      },
    })
    expect(reply.status).toBe(200)
    const echo = json(reply)
    expect(echo.agent).toBe('attacker-agent')
    expect(echo.agentId).toBe(attacker.agentId)
    expect(echo.principal).toMatch(/^anon:[0-9a-f]{32}$/) // its own anonymous session, not the spoofed principal
    expect(victim.served).toBe(0)
  })

  it('has the origin refuse unsigned, badly signed and stale requests', async () => {
    const agent = platform.addAgent({ slug: 'signed-only', running: true, visibility: 'public' })
    const agentKey = agentSecret(SECRET, agent.agentId)
    const unsigned = await fetch(`${platform.originUrl}/x`, { headers: { [TENANT_HOST]: 'signed-only' } })
    expect(unsigned.status).toBe(401)
    expect((await unsigned.json()).detail).toBe('missing')

    const forged = new Headers({ [TENANT_HOST]: 'signed-only', [AGENT_ID]: agent.agentId })
    await signHeaders(forged, { method: 'GET', host: 'signed-only.localhost', path: '/x' }, 'not-the-secret-but-long-enough-to-sign')
    const bad = await fetch(`${platform.originUrl}/x`, { headers: forged })
    expect(bad.status).toBe(401)
    expect((await bad.json()).detail).toBe('bad-signature')

    const old = new Headers({ [TENANT_HOST]: 'signed-only', [AGENT_ID]: agent.agentId })
    await signHeaders(old, { method: 'GET', host: 'signed-only.localhost', path: '/x' }, agentKey, Date.now() - 120_000)
    const stale = await fetch(`${platform.originUrl}/x`, { headers: old })
    expect(stale.status).toBe(401)
    expect((await stale.json()).detail).toBe('stale')

    // The master secret itself is not a key the origin takes: only the agent's own.
    const master = new Headers({ [TENANT_HOST]: 'signed-only', [AGENT_ID]: agent.agentId })
    await signHeaders(master, { method: 'GET', host: 'signed-only.localhost', path: '/x' }, SECRET)
    expect((await fetch(`${platform.originUrl}/x`, { headers: master })).status).toBe(401)

    const good = new Headers({ [TENANT_HOST]: 'signed-only', [AGENT_ID]: agent.agentId })
    await signHeaders(good, { method: 'GET', host: 'signed-only.localhost', path: '/x' }, agentKey)
    expect((await fetch(`${platform.originUrl}/x`, { headers: new Headers(good) })).status).toBe(200)
    expect((await fetch(`${platform.originUrl}/x`, { headers: good })).status).toBe(401) // the same nonce again
  })

  it('signs every internal API call it makes', () => {
    expect(platform.unsignedInternalCalls).toBe(0)
  })
})

describe('who may talk to an agent', () => {
  it('refuses an anonymous caller of a private agent with 401', async () => {
    const a = platform.addAgent({ slug: 'private-anon', running: true })
    const reply = await edgeRequest(edge.url, 'private-anon.localhost', '/')
    expect(reply.status).toBe(401)
    expect(json(reply).code).toBe('unauthenticated')
    expect(a.served).toBe(0)
  })

  it("refuses another tenant's API key with 403", async () => {
    const a = platform.addAgent({ slug: 'private-key', running: true })
    const otherKey = platform.addKey('ten_someone_else')
    const reply = await edgeRequest(edge.url, 'private-key.localhost', '/', { headers: { authorization: `Bearer ${otherKey}` } })
    expect(reply.status).toBe(403)
    expect(json(reply).code).toBe('forbidden')
    expect(a.served).toBe(0)
  })

  it("serves the owner's API key and does not pass the key to the agent", async () => {
    const a = platform.addAgent({ slug: 'private-own', running: true })
    const key = platform.addKey(a.tenantId)
    const reply = await edgeRequest(edge.url, 'private-own.localhost', '/', { headers: { authorization: `Bearer ${key}` } })
    expect(reply.status).toBe(200)
    const echo = json(reply)
    expect(echo.principal).toMatch(/^key:/)
    expect(echo.authorization).toBeNull()
  })

  it('refuses an unknown API key with 401 even on a public agent', async () => {
    platform.addAgent({ slug: 'public-badkey', running: true, visibility: 'public' })
    const reply = await edgeRequest(edge.url, 'public-badkey.localhost', '/', { headers: { authorization: 'Bearer mi_not_a_real_key' } })
    expect(reply.status).toBe(401)
    expect(json(reply).code).toBe('invalid-credentials')
  })

  it("serves a member's session JWT from the __session cookie, and refuses a non-member's", async () => {
    const a = platform.addAgent({ slug: 'private-jwt', running: true })
    platform.setUserTenants('user_member', [a.tenantId])
    platform.setUserTenants('user_outsider', ['ten_other'])
    const member = await edgeRequest(edge.url, 'private-jwt.localhost', '/', {
      headers: { cookie: `theme=dark; __session=${await platform.mintToken('user_member')}` },
    })
    expect(member.status).toBe(200)
    expect(json(member).principal).toBe('user:user_member')
    expect(json(member).cookie).toBe('theme=dark')
    const outsider = await edgeRequest(edge.url, 'private-jwt.localhost', '/', {
      headers: { authorization: `Bearer ${await platform.mintToken('user_outsider')}` },
    })
    expect(outsider.status).toBe(403)
    const wrongAudience = await edgeRequest(edge.url, 'private-jwt.localhost', '/', {
      headers: { authorization: `Bearer ${await platform.mintToken('user_member', { audience: 'someone-else' })}` },
    })
    expect(wrongAudience.status).toBe(401)
  })

  it('lets anyone talk to a public agent', async () => {
    const a = platform.addAgent({ slug: 'public-any', running: true, visibility: 'public' })
    const anonymous = await edgeRequest(edge.url, 'public-any.localhost', '/')
    const stranger = await edgeRequest(edge.url, 'public-any.localhost', '/', {
      headers: { authorization: `Bearer ${platform.addKey('ten_stranger')}` },
    })
    expect([anonymous.status, stranger.status]).toEqual([200, 200])
    expect(a.served).toBe(2)
  })
})

describe('waking and streaming', () => {
  it('holds the first request to a cold agent, wakes it once and marks the cold start', async () => {
    const a = platform.addAgent({ slug: 'sleepy-one', visibility: 'public', wakeDelayMs: 100 })
    const reply = await edgeRequest(edge.url, 'sleepy-one.localhost', '/hello', { method: 'POST', body: 'hi there' })
    expect(reply.status).toBe(200)
    expect(json(reply).body).toBe('hi there')
    expect(Number(reply.headers[COLD_START])).toBeGreaterThan(0)
    expect(a.wakeCalls).toBe(1)
    const again = await edgeRequest(edge.url, 'sleepy-one.localhost', '/hello')
    expect(again.headers[COLD_START]).toBeUndefined()
  })

  it('delivers the first SSE event before the stream ends', async () => {
    platform.addAgent({ slug: 'sse-agent', visibility: 'public', wakeDelayMs: 20 })
    const res = await openEdgeRequest(edge.url, 'sse-agent.localhost', '/sse?hold=sse-1')
    expect(res.headers['content-type']).toContain('text/event-stream')
    const chunks: string[] = []
    let ended = false
    res.on('end', () => {
      ended = true
    })
    res.setEncoding('utf8')
    const first = await new Promise<string>((resolve) => res.once('data', resolve))
    chunks.push(first)
    expect(first).toContain('data: first')
    expect(ended).toBe(false)
    platform.releaseSse('sse-1')
    for await (const chunk of res) chunks.push(chunk as string)
    expect(chunks.join('')).toContain('data: last')
  })

  it('echoes over a WebSocket opened to a cold agent', async () => {
    const a = platform.addAgent({ slug: 'ws-agent', visibility: 'public', wakeDelayMs: 50 })
    const ws = new WebSocket(`ws://127.0.0.1:${edge.url.port}/chat`, { headers: { host: 'ws-agent.localhost' } })
    const upgrade = new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      ws.once('upgrade', (res) => resolve(res.headers))
      ws.once('error', reject)
    })
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    await upgrade
    const replies: string[] = []
    const twoReplies = new Promise<void>((resolve) => ws.on('message', (data) => {
      replies.push(data.toString())
      if (replies.length === 2) resolve()
    }))
    ws.send('hello')
    ws.send('again')
    await twoReplies
    expect(replies).toEqual(['ws-agent:hello', 'ws-agent:again'])
    expect(a.wakeCalls).toBe(1)
    ws.close()
  })

  it('sends a body-less request back through the gate when the origin says "no endpoints"', async () => {
    const a = platform.addAgent({ slug: 'went-away', visibility: 'public', wakeDelayMs: 30 })
    expect((await edgeRequest(edge.url, 'went-away.localhost', '/')).status).toBe(200)
    platform.sleep(a.agentId)
    // The isolate still believes the agent warm; the origin's marked 503 sends it back through the gate.
    const reply = await edgeRequest(edge.url, 'went-away.localhost', '/again')
    expect(reply.status).toBe(200)
    expect(json(reply).path).toBe('/again')
    expect(reply.headers[COLD_START]).toBeDefined()
    expect(a.wakeCalls).toBe(1)
  })

  it('replays a request whose body it kept through the gate when the agent vanished: answered, not 503', async () => {
    const a = platform.addAgent({ slug: 'no-replay', visibility: 'public', wakeDelayMs: 30 })
    expect((await edgeRequest(edge.url, 'no-replay.localhost', '/')).status).toBe(200)
    platform.sleep(a.agentId)
    const reply = await edgeRequest(edge.url, 'no-replay.localhost', '/write', { method: 'POST', body: 'payload' })
    expect(reply.status).toBe(200)
    expect(json(reply)).toMatchObject({ path: '/write', body: 'payload', bodyBinding: 'digest' })
    expect(reply.headers[COLD_START]).toBeDefined()
    expect(a.wakeCalls).toBe(1)
  })

  it('answers 503 + Retry-After saying why for a body over REPLAY_BODY_MAX_BYTES that met a vanished agent', async () => {
    const a = platform.addAgent({ slug: 'big-body', visibility: 'public', wakeDelayMs: 30 })
    expect((await edgeRequest(edge.url, 'big-body.localhost', '/')).status).toBe(200)
    platform.sleep(a.agentId)
    const reply = await edgeRequest(edge.url, 'big-body.localhost', '/write', { method: 'POST', body: 'b'.repeat(1_048_577) })
    expect(reply.status).toBe(503)
    expect(reply.headers['retry-after']).toBe('2')
    expect(json(reply)).toMatchObject({ code: 'agent-restarting', reason: 'body-not-kept', replayBodyMaxBytes: 1_048_576 })
    await expect.poll(() => a.running, { timeout: 10_000 }).toBe(true)
  })
})

describe('usage', () => {
  it('reports an open WebSocket as activity until it closes', async () => {
    const a = platform.addAgent({ slug: 'ws-busy', visibility: 'public', running: true })
    const ws = new WebSocket(`ws://127.0.0.1:${edge.url.port}/chat`, { headers: { host: 'ws-busy.localhost' } })
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    const echoed = new Promise((resolve) => ws.once('message', resolve))
    ws.send('still here')
    await echoed
    const items = () => platform.ingested.flatMap((b) => b.items).filter((i) => i.agentId === a.agentId)
    await expect.poll(() => items().some((i) => i.openStreams === 1), { timeout: 10_000 }).toBe(true)
    ws.close()
    await expect.poll(() => items().at(-1)?.openStreams, { timeout: 10_000 }).toBe(0)
  })

  it('flushes activity and usage to the ingest in batches with an idempotency key', async () => {
    const a = platform.addAgent({ slug: 'metered', visibility: 'public', running: true })
    for (let i = 0; i < 5; i++) expect((await edgeRequest(edge.url, 'metered.localhost', '/')).status).toBe(200)
    await expect.poll(() => platform.ingested.flatMap((b) => b.items).filter((i) => i.agentId === a.agentId)
      .reduce((n, i) => n + i.requests, 0), { timeout: 10_000 }).toBe(5)
    const batches = platform.ingested.filter((b) => b.items.some((i) => i.agentId === a.agentId))
    expect(new Set(batches.map((b) => b.batchId)).size).toBe(batches.length)
  })
})
