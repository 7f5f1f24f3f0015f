// The tool loop on the offline local model, through the real runtime: a tool call, its result and the final text as
// events on SSE, the WebSocket and the JSON reply, stored in the conversation and counted in usage; a failing tool,
// bad arguments and an unknown tool come back as error results the model sees, and the turn still ends in `done`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'
import { readSse } from './support/sse.ts'
import { openChatSocket } from './support/ws-client.ts'

let config: RuntimeConfig
let runtime: RuntimeProcess
let call: typeof fetch

const chat = (body: unknown, stream = false, as: typeof fetch = call) => as(`${runtime.baseUrl}/v1/chat`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...(stream ? { accept: 'text/event-stream' } : {}) }, body: JSON.stringify(body),
})
const stored = async (conversationId: string) => (await (await call(`${runtime.baseUrl}/v1/conversations/${conversationId}/messages?limit=100`)).json()).data as any[]

beforeAll(async () => {
  config = agentConfig(await createTestDatabase('agent_tools'), { tools: ['memory', 'clock'], timezone: 'Asia/Tokyo', visibility: 'public' })
  runtime = await spawnRuntime({ config })
  await waitUntilReady(runtime.baseUrl)
  call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
})
afterAll(async () => { await runtime?.stop() })

describe('the tool loop on the local model', () => {
  it('streams a tool call, its result and the final text over SSE, and stores each step in the conversation', async () => {
    const frames = await readSse(await chat({ message: 'use clock' }, true))
    const kinds = frames.map((f) => f.event)
    expect(kinds[0]).toBe('start')
    const callFrame = frames.find((f) => f.event === 'tool-call')!
    const resultFrame = frames.find((f) => f.event === 'tool-result')!
    expect(callFrame.data).toMatchObject({ id: expect.any(String), name: 'clock', args: {} })
    expect(resultFrame.data).toMatchObject({ id: callFrame.data.id, name: 'clock', isError: false, result: { timezone: 'Asia/Tokyo' } })
    // The agent's own time zone: Tokyo is UTC+9 all year.
    expect(resultFrame.data.result.now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$/)
    expect(kinds.indexOf('tool-call')).toBeLessThan(kinds.indexOf('tool-result'))
    expect(kinds.indexOf('tool-result')).toBeLessThan(kinds.indexOf('delta'))
    const text = frames.filter((f) => f.event === 'delta').map((f) => f.data.text).join('')
    expect(text).toContain('clock returned')
    expect(text).toContain(resultFrame.data.result.now)
    const done = frames.at(-1)!
    expect(done).toMatchObject({ event: 'done', data: { finishReason: 'stop', usage: { toolCalls: 1 } } })

    const rows = await stored(frames[0]!.data.conversationId)
    expect(rows.map((r) => r.role)).toEqual(['user', 'tool-call', 'tool-result', 'assistant'])
    expect(rows[1]).toMatchObject({ tool: { id: callFrame.data.id, name: 'clock', args: {} } })
    expect(rows[2]).toMatchObject({ tool: { id: callFrame.data.id, name: 'clock', isError: false, result: resultFrame.data.result } })
    expect(rows[3]).toMatchObject({ content: text, status: 'complete' })
  })

  it('lists the tool calls with their results in the JSON reply', async () => {
    const res = await chat({ message: 'call clock {"timezone":"Europe/Lisbon"}' })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.toolCalls).toEqual([{ id: expect.any(String), name: 'clock', args: { timezone: 'Europe/Lisbon' }, result: expect.objectContaining({ timezone: 'Europe/Lisbon' }), isError: false }])
    expect(body.usage.toolCalls).toBe(1)
    expect(body.reply).toContain('clock returned')
  })

  it('carries tool events on the WebSocket too', async () => {
    const socket = await openChatSocket(runtime, config.slug)
    try {
      const events = await socket.turn({ message: 'use clock' })
      expect(events.map((e) => e.type).filter((t) => t !== 'delta')).toEqual(['start', 'tool-call', 'tool-result', 'done'])
      expect(events.find((e) => e.type === 'tool-result')).toMatchObject({ name: 'clock', isError: false, result: { timezone: 'Asia/Tokyo' } })
    } finally {
      socket.close()
    }
  })

  it('answers arguments that do not match the schema with an error result the model sees, and the turn goes on', async () => {
    const body = await (await chat({ message: 'call memory {"action":"fly"}' })).json()
    expect(body.toolCalls).toHaveLength(1)
    expect(body.toolCalls[0]).toMatchObject({ name: 'memory', isError: true, result: { error: expect.stringMatching(/action|invalid/i) } })
    // The local model reports what it saw: the error reached the model.
    expect(body.reply).toMatch(/memory failed: .*(action|invalid)/i)
    expect(body.finishReason).toBe('stop')
  })

  it('answers a tool that fails with an error result, and a tool that does not exist likewise', async () => {
    const failing = await (await chat({ message: 'call memory.forget {"id":"00000000-0000-0000-0000-000000000000"}' })).json()
    expect(failing.toolCalls[0]).toMatchObject({ name: 'memory', isError: true, result: { error: expect.stringContaining('no memory with id') } })
    expect(failing.reply).toContain('memory failed')

    const unknown = await (await chat({ message: 'call teleport {"to":"Mars"}' })).json()
    expect(unknown.toolCalls[0]).toMatchObject({ name: 'teleport', isError: true })
    expect(unknown.reply).toContain('teleport failed')
  })

  it('offers only the tools the agent enables: an agent with none treats "use clock" as plain text', async () => {
    const res = await fetch(`${runtime.baseUrl}/_myintell/config`, {
      method: 'PUT', headers: { authorization: 'Bearer agent-test-control-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ ...config, tools: [] }),
    })
    expect(res.status).toBe(200)
    try {
      const body = await (await chat({ message: 'use clock' })).json()
      expect(body.toolCalls).toEqual([])
      expect(body.reply).toContain('You said: "use clock"')
    } finally {
      await fetch(`${runtime.baseUrl}/_myintell/config`, {
        method: 'PUT', headers: { authorization: 'Bearer agent-test-control-token-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify(config),
      })
    }
  })
})

describe('the memory tool', () => {
  const guest = (principal: string) => signedFetch({ secret: TEST_SECRET, slug: config.slug, principal, principalAccess: 'guest' })

  it('remembers for a guest alone, and a guest finds its own memories and none of another guest', async () => {
    const ana = guest('anon:ana')
    const bo = guest('anon:bo')
    const kept = await (await chat({ message: 'call memory.remember {"content":"Ana keeps bees on her roof"}' }, false, ana)).json()
    expect(kept.toolCalls[0]).toMatchObject({ isError: false, result: { remembered: { content: 'Ana keeps bees on her roof' } } })
    expect(kept.memoriesSaved).toEqual([{ id: kept.toolCalls[0].result.remembered.id, content: 'Ana keeps bees on her roof' }])

    const anaSearch = await (await chat({ message: 'call memory.search {"query":"bees"}' }, false, ana)).json()
    expect(anaSearch.toolCalls[0].result.memories.map((m: any) => m.content)).toEqual(['Ana keeps bees on her roof'])
    const boSearch = await (await chat({ message: 'call memory.search {"query":"bees"}' }, false, bo)).json()
    expect(boSearch.toolCalls[0]).toMatchObject({ isError: false, result: { memories: [] } })
    // Bo cannot forget Ana's memory either.
    const boForget = await (await chat({ message: `call memory.forget {"id":"${kept.toolCalls[0].result.remembered.id}"}` }, false, bo)).json()
    expect(boForget.toolCalls[0]).toMatchObject({ isError: true })

    // The member sees it, kept as Ana's own and marked as the agent's doing.
    const all = await (await call(`${runtime.baseUrl}/v1/memories`)).json()
    expect(all.data.find((m: any) => m.content === 'Ana keeps bees on her roof')).toMatchObject({ principal: 'anon:ana', source: 'agent' })
  })

  it('keeps nothing for a caller the edge could not name', async () => {
    const nobody = signedFetch({ secret: TEST_SECRET, slug: config.slug, principal: 'anonymous', principalAccess: 'guest' })
    const body = await (await chat({ message: 'call memory.remember {"content":"I am nobody"}' }, false, nobody)).json()
    expect(body.toolCalls[0]).toMatchObject({ isError: true, result: { error: expect.stringContaining('anonymous') } })
    const all = await (await call(`${runtime.baseUrl}/v1/memories`)).json()
    expect(all.data.map((m: any) => m.content)).not.toContain('I am nobody')
  })

  it('lets a member forget what it finds', async () => {
    const kept = await (await chat({ message: 'call memory.remember {"content":"The office plant is called Fern"}' })).json()
    const id = kept.toolCalls[0].result.remembered.id
    const gone = await (await chat({ message: `call memory.forget {"id":"${id}"}` })).json()
    expect(gone.toolCalls[0]).toMatchObject({ isError: false, result: { forgotten: id } })
    const all = await (await call(`${runtime.baseUrl}/v1/memories`)).json()
    expect(all.data.map((m: any) => m.id)).not.toContain(id)
  })
})
