// A superfriend on a real provider API (here its local double): persona and memories reach the model, and provider
// failures reach the user as a clear error event with the partial reply kept and stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { startFakeAnthropic } from '../fakes/anthropic-api.ts'
import { startFakeOpenAi } from '../fakes/openai-api.ts'
import type { FakeProvider } from '../fakes/provider-script.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'
import { readSse } from './support/sse.ts'

let anthropic: FakeProvider
let openai: FakeProvider
let config: RuntimeConfig
let runtime: RuntimeProcess
let call: typeof fetch

const chat = (body: unknown, stream = false) => call(`${runtime.baseUrl}/v1/chat`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...(stream ? { accept: 'text/event-stream' } : {}) }, body: JSON.stringify(body),
})

beforeAll(async () => {
  anthropic = await startFakeAnthropic()
  openai = await startFakeOpenAi()
  config = agentConfig(await createTestDatabase('agent_prov'), {
    name: 'Ada',
    persona: { systemPrompt: 'You are Ada, a patient friend.', style: 'warm and brief' },
    model: { provider: 'anthropic', model: 'claude-test', maxOutputTokens: 300 },
    secrets: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: anthropic.url },
  })
  runtime = await spawnRuntime({ config, env: { MYINTELL_PROVIDER_TIMEOUT_MS: '500' } })
  await waitUntilReady(runtime.baseUrl)
  call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
})
afterAll(async () => {
  await runtime?.stop()
  await anthropic?.close()
  await openai?.close()
})

describe('a superfriend on the Anthropic API', () => {
  it('sends persona, style and remembered facts as the system prompt, and the dialogue as messages', async () => {
    await chat({ message: 'Remember that I am allergic to peanuts.' })
    const { conversationId } = await (await chat({ message: 'Suggest a snack' })).json()
    const sent = anthropic.requests.at(-1)!
    expect(sent.headers['x-api-key']).toBe('sk-ant-test')
    expect(sent.body.model).toBe('claude-test')
    expect(sent.body.max_tokens).toBe(300)
    // Anthropic's system field as text blocks, the form the AI SDK sends.
    const system = (sent.body.system as Array<{ type: string; text: string }>).map((b) => b.text).join('\n')
    expect(system).toContain('Your name is Ada.')
    expect(system).toContain('You are Ada, a patient friend.')
    expect(system).toContain('warm and brief')
    expect(system).toContain('- I am allergic to peanuts')
    expect(sent.body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Suggest a snack' }] }])
    expect(conversationId).toBeTypeOf('string')
  })

  it('streams an error event after the partial reply when the stream fails midway, and stores the partial reply', async () => {
    anthropic.enqueue({ kind: 'error-mid-stream', text: 'Here is the beginning of' })
    const frames = await readSse(await chat({ message: 'Tell me a story' }, true))
    const partial = frames.filter((f) => f.event === 'delta').map((f) => f.data.text).join('')
    expect(partial).toBe('Here is the beginning of')
    const error = frames.at(-1)!
    expect(error.event).toBe('error')
    expect(error.data).toMatchObject({ code: 'overloaded', partial })
    expect(error.data.message).toMatch(/overloaded/i)
    const stored = await (await call(`${runtime.baseUrl}/v1/conversations/${error.data.conversationId}/messages`)).json()
    expect(stored.data.at(-1)).toMatchObject({ role: 'assistant', content: partial, status: 'error', error: 'overloaded' })
  })

  it('answers 502 with the partial reply and conversation id on the JSON route', async () => {
    anthropic.enqueue({ kind: 'cut', text: 'Half an' })
    const res = await chat({ message: 'Go on' })
    expect(res.status).toBe(502)
    expect(await res.json()).toMatchObject({ code: 'model-stream-error', partialReply: 'Half an', conversationId: expect.any(String) })
  })

  it('retries a 429 with retry-after and then replies normally', async () => {
    const before = anthropic.requests.length
    anthropic.enqueue({ kind: 'status', status: 429, retryAfterSeconds: 1 }, { kind: 'reply', text: 'Sorry for the wait.' })
    const body = await (await chat({ message: 'Are you there?' })).json()
    expect(body.reply).toBe('Sorry for the wait.')
    expect(anthropic.requests.length - before).toBe(2)
  })

  it('surfaces a provider that keeps failing with 5xx as an upstream error event', async () => {
    anthropic.enqueue({ kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 })
    const frames = await readSse(await chat({ message: 'Hello?' }, true))
    expect(frames.at(-1)).toMatchObject({ event: 'error', data: { code: 'upstream_error', partial: '' } })
  })

  it('surfaces a silent provider as a timeout error event, keeping what arrived', async () => {
    anthropic.enqueue({ kind: 'hang', text: 'Let me think' })
    const frames = await readSse(await chat({ message: 'Think hard' }, true))
    expect(frames.at(-1)).toMatchObject({ event: 'error', data: { code: 'timeout', partial: 'Let me think' } })
  })

  it('switches to an OpenAI-compatible server on the next turn after a config update', async () => {
    const res = await fetch(`${runtime.baseUrl}/_myintell/config`, {
      method: 'PUT', headers: { authorization: 'Bearer agent-test-control-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ ...config, model: { provider: 'openai', model: 'gpt-test' }, secrets: { OPENAI_API_KEY: 'sk-openai-test', OPENAI_BASE_URL: `${openai.url}/v1` } }),
    })
    expect(res.status).toBe(200)
    openai.enqueue({ kind: 'error-mid-stream', text: 'Partly' })
    const frames = await readSse(await chat({ message: 'Which model are you?' }, true))
    expect(frames.at(-1)).toMatchObject({ event: 'error', data: { code: 'stream_error', partial: 'Partly' } })
    const body = await (await chat({ message: 'Again?' })).json()
    expect(body.reply).toBe('Fake GPT heard: Again?')
    expect(openai.requests.at(-1)!.body.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('allergic to peanuts') })
  })
})
