// The forward path through the Worker's own fetch handler, inside workerd: a request that meets "no endpoints" (the
// agent went to sleep behind a warm mark) is sent again through the gate, its kept body with it; a body past the
// bound cannot be, and the answer says why; the wait for an origin's first byte is bounded, a flowing stream is not.
// (edge/vitest.config.ts: REPLAY_BODY_MAX_BYTES 65536, ORIGIN_TIMEOUT_MS 2000.)

import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { COLD_START, NO_ENDPOINTS } from '../../../wire/headers.ts'
import { fake, uniqueSlug, type FakeAgent } from '../../test/fake-platform-client.ts'
import { REPLAY_PAUSES_MS } from './forward-or-wake.ts'

const edge = (url: string, init?: RequestInit) => (exports as unknown as { default: Fetcher }).default.fetch(url, init)
const BOUND = 65_536

interface Echo { path: string; body: string | null; bodyBinding: string; method: string }

/** A public agent that has answered once through this isolate, which now holds it warm. */
async function warmAgent(prefix: string): Promise<FakeAgent> {
  const agent = await fake.addAgent({ slug: uniqueSlug(prefix), visibility: 'public', wakeDelayMs: 20 })
  const first = await edge(`http://${agent.slug}.localhost/`)
  expect(first.status).toBe(200)
  await first.body?.cancel()
  return agent
}

function post(agent: FakeAgent, path: string, body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return edge(`http://${agent.slug}.localhost${path}`, { method: 'POST', headers, body })
}

describe('a request that meets "no endpoints"', () => {
  it('is sent again through the gate with its kept JSON body, signed by the body\'s digest, and answered', async () => {
    const agent = await warmAgent('replay-json')
    await fake.sleep(agent.agentId)
    const message = JSON.stringify({ message: 'are you there?', n: 42 })
    const res = await post(agent, '/v1/chat', message)
    expect(res.status).toBe(200)
    const echo = await res.json<Echo>()
    expect(echo).toMatchObject({ method: 'POST', path: '/v1/chat', body: message, bodyBinding: 'digest' })
    expect(res.headers.get(COLD_START)).not.toBeNull()
    expect((await fake.agent(agent.agentId)).wakeCalls).toBe(1)
  })

  it('keeps a body of exactly the bound, and an empty one', async () => {
    const agent = await warmAgent('replay-edges')
    await fake.sleep(agent.agentId)
    const full = 'x'.repeat(BOUND)
    const res = await post(agent, '/upload', full, { 'content-type': 'text/plain' })
    expect(await res.json<Echo>()).toMatchObject({ body: full, bodyBinding: 'digest' })
    await fake.sleep(agent.agentId)
    const empty = await post(agent, '/empty', '', {})
    expect(empty.status).toBe(200)
    expect((await empty.json<Echo>()).body).toBe('')
  })

  it('is sent again without a body for a GET, and a WebSocket upgrade opens after the wake', async () => {
    const agent = await warmAgent('replay-ws')
    await fake.sleep(agent.agentId)
    const get = await edge(`http://${agent.slug}.localhost/again`)
    expect(await get.json<Echo>()).toMatchObject({ path: '/again', bodyBinding: 'none' })
    await fake.sleep(agent.agentId)
    const res = await edge(`http://${agent.slug}.localhost/chat`, { headers: { upgrade: 'websocket' } })
    expect(res.status).toBe(101)
    const socket = res.webSocket!
    socket.accept()
    const reply = new Promise<string>((resolve) => socket.addEventListener('message', (event) => resolve(String(event.data))))
    socket.send('hello')
    expect(await reply).toBe(`${agent.slug}:hello`)
    socket.close(1000, 'done')
  })

  it('is sent again after a pause when the ingress learns of the woken agent later than the driver', async () => {
    const agent = await warmAgent('replay-lag')
    await fake.staleIngress(agent.agentId, 2)
    const res = await post(agent, '/v1/chat', '{"message":"hi"}')
    expect(res.status).toBe(200)
    expect((await res.json<Echo>()).body).toBe('{"message":"hi"}')
    expect((await fake.agent(agent.agentId)).staleIngress).toBe(0)
  })

  it('gives up after the last replay with 503 agent-unavailable and Retry-After, never a hang', async () => {
    const agent = await warmAgent('replay-never')
    await fake.staleIngress(agent.agentId, 100)
    const res = await post(agent, '/v1/chat', '{"message":"hi"}')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(res.headers.get(NO_ENDPOINTS)).toBeNull()
    expect((await res.json<{ code: string }>()).code).toBe('agent-unavailable')
    expect((await fake.agent(agent.agentId)).staleIngress).toBe(100 - 1 - REPLAY_PAUSES_MS.length)
  }, 20_000)

  it('answers 503 + Retry-After that says why for a body over the bound, and wakes the agent for the retry', async () => {
    const agent = await warmAgent('too-big')
    await fake.sleep(agent.agentId)
    const big = 'y'.repeat(BOUND + 1)
    const res = await post(agent, '/upload', big, { 'content-type': 'text/plain' })
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const problem = await res.json<{ code: string; detail: string; reason: string; replayBodyMaxBytes: number }>()
    expect(problem).toMatchObject({ code: 'agent-restarting', reason: 'body-not-kept', replayBodyMaxBytes: BOUND })
    expect(problem.detail).toContain(`over ${BOUND} bytes`)
    await expect.poll(async () => (await fake.agent(agent.agentId)).running, { timeout: 10_000 }).toBe(true)
    const retry = await post(agent, '/upload', big, { 'content-type': 'text/plain' })
    expect(await retry.json<Echo>()).toMatchObject({ body: big, bodyBinding: 'stream' })
  })
})

describe('request bodies', () => {
  it('streams a body of unknown length past the bound whole, signed as a stream', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('chunked'), visibility: 'public', running: true })
    const chunk = new TextEncoder().encode('z'.repeat(16_384))
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 6) return controller.close()
        sent += 1
        controller.enqueue(chunk)
      },
    })
    const res = await post(agent, '/upload', body, { 'content-type': 'application/octet-stream' })
    const echo = await res.json<Echo>()
    expect(echo.bodyBinding).toBe('stream')
    expect(echo.body).toBe('z'.repeat(6 * 16_384))
  })

  it('passes the agent\'s own 404 and 503 on as they are: no wake, no replay', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('own-answers'), visibility: 'public', running: true })
    const missing = await edge(`http://${agent.slug}.localhost/own-404`)
    expect(missing.status).toBe(404)
    expect((await missing.json<{ code: string }>()).code).toBe('not-found')
    const busy = await post(agent, '/own-503', '{}')
    expect(busy.status).toBe(503)
    expect((await busy.json<{ code: string }>()).code).toBe('not-ready')
    const after = await fake.agent(agent.agentId)
    expect(after.wakeCalls).toBe(0)
    expect(after.served).toBe(2)
  })
})

describe('the wait for the origin', () => {
  it('answers 504 problem+json with Retry-After when no answer begins within ORIGIN_TIMEOUT_MS', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('slow-json'), visibility: 'public', running: true })
    const res = await edge(`http://${agent.slug}.localhost/slow?ms=4000`)
    expect(res.status).toBe(504)
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect((await res.json<{ code: string }>()).code).toBe('origin-timeout')
  }, 15_000)

  it('waits for an answer that begins within the bound', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('slowish'), visibility: 'public', running: true })
    const res = await edge(`http://${agent.slug}.localhost/slow?ms=300`)
    expect(res.status).toBe(200)
    expect(await res.json<Echo>()).toMatchObject({ path: '/slow' })
  })

  it('never cuts a stream that began in time, however long it then flows', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('long-stream'), visibility: 'public', running: true })
    const res = await edge(`http://${agent.slug}.localhost/slow-stream?ms=3500`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('data: first\n\ndata: last\n\n')
  }, 15_000)
})
