// SIGTERM: readiness goes false at once, a reply being streamed is finished (up to the drain timeout), exit 0.
import { NO_ENDPOINTS } from '../../wire/headers.ts'
import { describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'
import { openChatSocket } from './support/ws-client.ts'

/** Slow tokens make a reply last long enough to send SIGTERM in the middle of it. */
const TOKEN_DELAY_MS = '60'

async function firstBytes(res: Response): Promise<{ reader: ReadableStreamDefaultReader<Uint8Array>; text: string }> {
  const reader = res.body!.getReader()
  let text = ''
  while (!text.includes('event: delta')) {
    const { value, done } = await reader.read()
    if (done) break
    text += new TextDecoder().decode(value)
  }
  return { reader, text }
}

async function rest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  let text = ''
  try {
    while (true) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
  } catch { /* the connection was closed under us */ }
  return text
}

describe('draining on SIGTERM', () => {
  it('reports not ready, finishes the reply in flight, refuses new chats, then exits 0', async () => {
    const config = agentConfig(await createTestDatabase('agent_drain'))
    const runtime = await spawnRuntime({ config, env: { MYINTELL_LOCAL_TOKEN_DELAY_MS: TOKEN_DELAY_MS, MYINTELL_DRAIN_TIMEOUT_MS: '30000' } })
    await waitUntilReady(runtime.baseUrl)
    const call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
    const res = await call(`${runtime.baseUrl}/v1/chat`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ message: 'a long story please' }),
    })
    const { reader, text: head } = await firstBytes(res)
    runtime.child.kill('SIGTERM')

    let ready = await fetch(`${runtime.baseUrl}/readyz`)
    while (ready.status === 200) ready = await fetch(`${runtime.baseUrl}/readyz`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({ draining: true })
    const refused = await call(`${runtime.baseUrl}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'new' }) })
    expect(refused.status).toBe(503)
    // Marked like an ingress's "no endpoints": the edge sends the request to a new runtime instead of to the client.
    expect(refused.headers.get(NO_ENDPOINTS)).toBe('1')

    const tail = await rest(reader)
    expect(head + tail).toContain('event: done')
    expect(await runtime.exited).toBe(0)
  })

  it('finishes a WebSocket turn in flight before closing the socket', async () => {
    const config = agentConfig(await createTestDatabase('agent_drain'))
    const runtime = await spawnRuntime({ config, env: { MYINTELL_LOCAL_TOKEN_DELAY_MS: TOKEN_DELAY_MS } })
    await waitUntilReady(runtime.baseUrl)
    const socket = await openChatSocket(runtime, config.slug)
    const closed = new Promise<number>((resolve) => socket.socket.on('close', (code) => resolve(code)))
    const turn = socket.turn({ message: 'tell me while you shut down' })
    while (!socket.received().some((e) => e.type === 'delta')) await new Promise((r) => setTimeout(r, 10))
    runtime.child.kill('SIGTERM')
    const events = await turn
    expect(events.at(-1)).toMatchObject({ type: 'done' })
    expect(await closed).toBe(1001)
    expect(await runtime.exited).toBe(0)
  })

  it('gives up on a reply that outlasts the drain timeout and still exits 0', async () => {
    const config = agentConfig(await createTestDatabase('agent_drain'))
    const runtime = await spawnRuntime({ config, env: { MYINTELL_LOCAL_TOKEN_DELAY_MS: '1000', MYINTELL_DRAIN_TIMEOUT_MS: '100' } })
    await waitUntilReady(runtime.baseUrl)
    const res = await signedFetch({ secret: TEST_SECRET, slug: config.slug })(`${runtime.baseUrl}/v1/chat`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ message: 'slow' }),
    })
    const { reader } = await firstBytes(res)
    runtime.child.kill('SIGTERM')
    expect(await runtime.exited).toBe(0)
    expect(await rest(reader)).not.toContain('event: done')
  })
})
