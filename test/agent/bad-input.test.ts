// Bad input gets a clear error and stores nothing: 422 empty, 413 over the limit, 404 unknown conversation,
// 400 malformed JSON; on the OpenAI routes 400s in OpenAI's error shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

const MAX_CHARS = 200
let config: RuntimeConfig
let runtime: RuntimeProcess
let call: typeof fetch
let existingConversation: string

const send = (path: string, body: string, headers: Record<string, string> = {}) =>
  call(`${runtime.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })

async function snapshot() {
  const conversations = (await (await call(`${runtime.baseUrl}/v1/conversations`)).json()).data
  const messages = (await (await call(`${runtime.baseUrl}/v1/conversations/${existingConversation}/messages`)).json()).data
  const memories = (await (await call(`${runtime.baseUrl}/v1/memories`)).json()).data
  return { conversations: conversations.length, messages: messages.length, memories: memories.length }
}

beforeAll(async () => {
  config = agentConfig(await createTestDatabase('agent_bad'))
  runtime = await spawnRuntime({ config, env: { MYINTELL_MAX_MESSAGE_CHARS: String(MAX_CHARS) } })
  await waitUntilReady(runtime.baseUrl)
  call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
  existingConversation = (await (await send('/v1/chat', JSON.stringify({ message: 'first' }))).json()).conversationId
})
afterAll(async () => { await runtime?.stop() })

describe('POST /v1/chat refuses bad input and stores nothing', () => {
  const cases: Array<[string, () => string, number, string, Record<string, string>?]> = [
    ['an empty message', () => JSON.stringify({ message: '' }), 422, 'empty-message'],
    ['a whitespace-only message', () => JSON.stringify({ message: ' \n\t ', conversationId: existingConversation }), 422, 'empty-message'],
    ['a message over the configured limit', () => JSON.stringify({ message: `remember that ${'x'.repeat(MAX_CHARS)}` }), 413, 'message-too-long'],
    ['an unknown conversation id', () => JSON.stringify({ message: 'hi', conversationId: crypto.randomUUID() }), 404, 'conversation-not-found'],
    ['a conversation id that is not a UUID', () => JSON.stringify({ message: 'hi', conversationId: 'nope' }), 404, 'conversation-not-found'],
    ['malformed JSON', () => '{"message": "hi"', 400, 'malformed-json'],
    ['an empty body', () => '', 400, 'malformed-json'],
    ['a message that is not a string', () => JSON.stringify({ message: 42 }), 400, 'invalid-request'],
    ['an empty message on the stream route', () => JSON.stringify({ message: '' }), 422, 'empty-message', { accept: 'text/event-stream' }],
  ]
  for (const [what, body, status, code, headers] of cases) {
    it(`answers ${status} ${code} for ${what}`, async () => {
      const before = await snapshot()
      const res = await send('/v1/chat', body(), headers)
      expect(res.status).toBe(status)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      expect(await res.json()).toMatchObject({ status, code })
      expect(await snapshot()).toEqual(before)
    })
  }

  it('refuses bad cursors and page sizes with 400', async () => {
    expect((await call(`${runtime.baseUrl}/v1/conversations?cursor=garbage`)).status).toBe(400)
    expect((await call(`${runtime.baseUrl}/v1/conversations?limit=0`)).status).toBe(400)
    expect((await call(`${runtime.baseUrl}/v1/conversations/${existingConversation}/messages?limit=abc`)).status).toBe(400)
  })

  it('refuses bad input over the WebSocket with error events and stores nothing', async () => {
    const { openChatSocket } = await import('./support/ws-client.ts')
    const before = await snapshot()
    const socket = await openChatSocket(runtime, config.slug)
    try {
      expect(await socket.turn({ message: '' })).toEqual([expect.objectContaining({ type: 'error', status: 422, code: 'empty-message' })])
      expect(await socket.turn({ message: 'x'.repeat(MAX_CHARS + 1) })).toEqual([expect.objectContaining({ type: 'error', status: 413 })])
      expect(await socket.turn({ message: 'hi', conversationId: crypto.randomUUID() })).toEqual([expect.objectContaining({ type: 'error', status: 404 })])
      expect(await socket.turnRaw('{nope')).toEqual([expect.objectContaining({ type: 'error', status: 400, code: 'malformed-json' })])
    } finally {
      socket.close()
    }
    expect(await snapshot()).toEqual(before)
  })
})

describe('POST /v1/chat/completions refuses bad input in OpenAI error shape', () => {
  const valid = { model: 'any', messages: [{ role: 'user', content: 'hi' }] }
  const cases: Array<[string, unknown, number, string | null]> = [
    ['malformed JSON', '{"model":', 400, null],
    ['a missing model', { messages: valid.messages }, 400, 'model'],
    ['missing messages', { model: 'x' }, 400, 'messages'],
    ['an empty messages array', { ...valid, messages: [] }, 400, 'messages'],
    ['an unknown role', { ...valid, messages: [{ role: 'wizard', content: 'hi' }] }, 400, 'messages[0].role'],
    ['a temperature above 2', { ...valid, temperature: 3 }, 400, 'temperature'],
    ['a non-integer max_tokens', { ...valid, max_tokens: 1.5 }, 400, 'max_tokens'],
    ['n other than 1', { ...valid, n: 3 }, 400, 'n'],
    ['stream that is not a boolean', { ...valid, stream: 'yes' }, 400, 'stream'],
    ['a last message that is not from the user', { ...valid, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }, 400, 'messages'],
    ['an empty user message', { ...valid, messages: [{ role: 'user', content: '' }] }, 422, null],
    ['a user message over the limit', { ...valid, messages: [{ role: 'user', content: 'y'.repeat(MAX_CHARS + 1) }] }, 413, null],
  ]
  for (const [what, body, status, param] of cases) {
    it(`answers ${status} for ${what}`, async () => {
      const before = await snapshot()
      const res = await send('/v1/chat/completions', typeof body === 'string' ? body : JSON.stringify(body))
      expect(res.status).toBe(status)
      const json = await res.json()
      expect(json.error).toMatchObject({ type: 'invalid_request_error' })
      expect(json.error.message).toBeTypeOf('string')
      if (param) expect(json.error.param).toBe(param)
      expect(await snapshot()).toEqual(before)
    })
  }
})
