// Chatting with a running runtime process on the local provider: JSON and SSE replies, persistence across a restart,
// conversations and pagination, long-term memory across conversations, persona changes on the next turn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { RUNTIME_PATHS } from '../../wire/runtime.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_CONTROL_TOKEN, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'
import { readSse } from './support/sse.ts'

let config: RuntimeConfig
let runtime: RuntimeProcess
let call: typeof fetch

async function start() {
  runtime = await spawnRuntime({ config })
  await waitUntilReady(runtime.baseUrl)
}
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`${runtime.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
const get = (path: string) => call(`${runtime.baseUrl}${path}`)

beforeAll(async () => {
  config = agentConfig(await createTestDatabase('agent_chat'))
  call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
  await start()
})
afterAll(async () => { await runtime?.stop() })

describe('chat', () => {
  it('answers a JSON chat with a plainly labelled local dev model reply, a conversation id and usage', async () => {
    const res = await post('/v1/chat', { message: 'Hello there' })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.reply).toMatch(/^\[local dev model\] Ada here\. You said: "Hello there"\./)
    expect(body.conversationId).toMatch(/^[0-9a-f-]{36}$/)
    expect(body.usage.inputTokens).toBeGreaterThan(0)
    expect(body.usage.outputTokens).toBeGreaterThan(0)
  })

  it('streams token deltas then a done event with the conversation id and usage, and stores exactly what it streamed', async () => {
    const res = await post('/v1/chat', { message: 'Tell me something' }, { accept: 'text/event-stream' })
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const frames = await readSse(res)
    expect(frames[0]!.event).toBe('start')
    const deltas = frames.filter((f) => f.event === 'delta')
    expect(deltas.length).toBeGreaterThan(3)
    const done = frames.at(-1)!
    expect(done.event).toBe('done')
    expect(done.data.conversationId).toBe(frames[0]!.data.conversationId)
    expect(done.data.usage.outputTokens).toBe(deltas.length)
    const streamed = deltas.map((d) => d.data.text).join('')
    const stored = await (await get(`/v1/conversations/${done.data.conversationId}/messages`)).json()
    expect(stored.data.map((m: any) => [m.role, m.content])).toEqual([['user', 'Tell me something'], ['assistant', streamed]])
  })

  it('continues a conversation, lists it first and pages through its messages with a cursor', async () => {
    const first = await (await post('/v1/chat', { message: 'one' })).json()
    await post('/v1/chat', { message: 'two', conversationId: first.conversationId })
    const third = await (await post('/v1/chat', { message: 'three', conversationId: first.conversationId })).json()
    expect(third.reply).toContain('(turn 3)')

    const list = await (await get('/v1/conversations?limit=1')).json()
    expect(list.data[0].id).toBe(first.conversationId)
    expect(list.nextCursor).toBeTypeOf('string')
    const next = await (await get(`/v1/conversations?limit=1&cursor=${list.nextCursor}`)).json()
    expect(next.data[0].id).not.toBe(first.conversationId)

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: any = await (await get(`/v1/conversations/${first.conversationId}/messages?limit=4${cursor ? `&cursor=${cursor}` : ''}`)).json()
      seen.push(...page.data.map((m: any) => m.content.slice(0, 5)))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen.filter((c) => !c.startsWith('['))).toEqual(['one', 'two', 'three'])
    expect(seen).toHaveLength(6)
  })

  it('deletes a conversation with its messages', async () => {
    const { conversationId } = await (await post('/v1/chat', { message: 'forget this chat' })).json()
    expect((await call(`${runtime.baseUrl}/v1/conversations/${conversationId}`, { method: 'DELETE' })).status).toBe(204)
    expect((await get(`/v1/conversations/${conversationId}/messages`)).status).toBe(404)
    expect((await call(`${runtime.baseUrl}/v1/conversations/${conversationId}`, { method: 'DELETE' })).status).toBe(404)
  })

  it('keeps a conversation across a restart of the process', async () => {
    const { conversationId } = await (await post('/v1/chat', { message: 'Before the restart' })).json()
    expect(await runtime.stop()).toBe(0)
    await start()
    const after = await (await post('/v1/chat', { message: 'After the restart', conversationId })).json()
    expect(after.reply).toContain('(turn 2)')
    const messages = await (await get(`/v1/conversations/${conversationId}/messages`)).json()
    expect(messages.data.map((m: any) => m.content).filter((c: string) => !c.startsWith('['))).toEqual(['Before the restart', 'After the restart'])
  })
})

describe('memory', () => {
  it('remembers a fact asked for in one conversation and recalls it in a later one', async () => {
    const told = await (await post('/v1/chat', { message: 'Please remember that my cat is called Miso.' })).json()
    expect(told.memoriesSaved).toEqual([expect.objectContaining({ content: 'my cat is called Miso' })])
    const later = await (await post('/v1/chat', { message: 'What is my cat called?' })).json()
    expect(later.conversationId).not.toBe(told.conversationId)
    expect(later.reply).toContain('I remember: my cat is called Miso')
  })

  it('lists memories and forgets one when it is deleted', async () => {
    const list = await (await get('/v1/memories')).json()
    const miso = list.data.find((m: any) => m.content === 'my cat is called Miso')
    expect(miso).toBeDefined()
    expect((await call(`${runtime.baseUrl}/v1/memories/${miso.id}`, { method: 'DELETE' })).status).toBe(204)
    const later = await (await post('/v1/chat', { message: 'What is my cat called?' })).json()
    expect(later.reply).not.toContain('Miso')
    expect((await call(`${runtime.baseUrl}/v1/memories/${miso.id}`, { method: 'DELETE' })).status).toBe(404)
  })

  it('adds a memory through the API', async () => {
    const res = await post('/v1/memories', { content: 'likes green tea' })
    expect(res.status).toBe(201)
    const reply = await (await post('/v1/chat', { message: 'Any drink ideas?' })).json()
    expect(reply.reply).toContain('likes green tea')
  })
})

describe('persona', () => {
  it('applies a new persona from PUT /_myintell/config on the next turn', async () => {
    const { conversationId } = await (await post('/v1/chat', { message: 'Who are you?' })).json()
    const res = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.config}`, {
      method: 'PUT', headers: { authorization: `Bearer ${TEST_CONTROL_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...config, name: 'Grace' }),
    })
    expect(res.status).toBe(200)
    const next = await (await post('/v1/chat', { message: 'And now?', conversationId })).json()
    expect(next.reply).toMatch(/^\[local dev model\] Grace here\./)
  })
})
