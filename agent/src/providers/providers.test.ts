// The Anthropic and OpenAI-compatible providers against local doubles speaking each API's streaming wire format:
// replies, usage, 429 with retry-after (retried), 5xx (retried, then surfaced), errors mid-stream, cut streams, timeouts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeAnthropic } from '../../../test/fakes/anthropic-api.ts'
import { startFakeOpenAi } from '../../../test/fakes/openai-api.ts'
import type { FakeProvider } from '../../../test/fakes/provider-script.ts'
import { anthropicProvider } from './anthropic.ts'
import { openAiCompatibleProvider } from './openai-compatible.ts'
import { withRetry } from './retry.ts'
import { ProviderError } from './types.ts'
import type { ModelEvent, ModelProvider, ModelRequest } from './types.ts'

const TIMEOUT_MS = 400
// Fast backoff keeps the suite quick; the retry-after case proves the header is honoured by the recorded waits.
const waits: number[] = []
const retry = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 5_000, sleep: async (ms: number) => { waits.push(ms) } }

const request: ModelRequest = {
  model: 'test-model', system: 'You are Ada.', maxOutputTokens: 256,
  messages: [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi!' }, { role: 'user', content: 'How are you?' }],
}

async function collect(provider: ModelProvider): Promise<{ text: string; usage: ModelEvent | undefined; error: unknown }> {
  let text = ''
  let usage: ModelEvent | undefined
  try {
    for await (const event of provider.stream(request)) {
      if (event.type === 'delta') text += event.text
      else usage = event
    }
    return { text, usage, error: null }
  } catch (error) {
    return { text, usage, error }
  }
}

const cases: Array<{ name: string; start: () => Promise<FakeProvider>; build: (fake: FakeProvider, key?: string) => ModelProvider; key: string }> = [
  {
    name: 'anthropic',
    start: () => startFakeAnthropic(),
    key: 'sk-ant-test',
    build: (fake, key = 'sk-ant-test') => anthropicProvider({ apiKey: key, baseUrl: fake.url, timeoutMs: TIMEOUT_MS }),
  },
  {
    name: 'openai-compatible',
    start: () => startFakeOpenAi(),
    key: 'sk-openai-test',
    build: (fake, key = 'sk-openai-test') => openAiCompatibleProvider({ apiKey: key, baseUrl: `${fake.url}/v1`, timeoutMs: TIMEOUT_MS }),
  },
]

for (const c of cases) {
  describe(`${c.name} provider`, () => {
    let fake: FakeProvider
    beforeAll(async () => { fake = await c.start() })
    afterAll(async () => { await fake.close() })

    it('streams the reply token by token and reports usage', async () => {
      fake.enqueue({ kind: 'reply', text: 'I am well, thank you for asking.' })
      const result = await collect(withRetry(c.build(fake), retry))
      expect(result.error).toBeNull()
      expect(result.text).toBe('I am well, thank you for asking.')
      expect(result.usage).toMatchObject({ type: 'usage', outputTokens: 7 })
      expect((result.usage as { inputTokens: number }).inputTokens).toBeGreaterThan(0)
    })

    it('sends the system prompt, the dialogue and the model', async () => {
      fake.enqueue({ kind: 'reply', text: 'ok' })
      await collect(c.build(fake))
      const body = fake.requests.at(-1)!.body
      expect(body.model).toBe('test-model')
      expect(body.stream).toBe(true)
      const system = c.name === 'anthropic' ? body.system : body.messages[0].content
      expect(system).toBe('You are Ada.')
      const dialogue = c.name === 'anthropic' ? body.messages : body.messages.slice(1)
      expect(dialogue).toEqual(request.messages)
    })

    it('retries a 429 after the retry-after the provider asked for, then succeeds', async () => {
      waits.length = 0
      const before = fake.requests.length
      fake.enqueue({ kind: 'status', status: 429, retryAfterSeconds: 2 }, { kind: 'reply', text: 'after the wait' })
      const result = await collect(withRetry(c.build(fake), retry))
      expect(result.text).toBe('after the wait')
      expect(fake.requests.length - before).toBe(2)
      expect(waits).toEqual([2_000])
    })

    it('retries 5xx with backoff and surfaces the error when attempts run out', async () => {
      const before = fake.requests.length
      fake.enqueue({ kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'status', status: 500 })
      const result = await collect(withRetry(c.build(fake), retry))
      expect(fake.requests.length - before).toBe(3)
      expect(result.error).toBeInstanceOf(ProviderError)
      expect((result.error as ProviderError).code).toBe('upstream_error')
      expect(result.text).toBe('')
    })

    it('keeps the partial reply and does not retry when the stream fails midway', async () => {
      const before = fake.requests.length
      fake.enqueue({ kind: 'error-mid-stream', text: 'I was saying something' })
      const result = await collect(withRetry(c.build(fake), retry))
      expect(fake.requests.length - before).toBe(1)
      expect(result.text).toBe('I was saying something')
      expect(result.error).toBeInstanceOf(ProviderError)
      expect(['stream_error', 'overloaded']).toContain((result.error as ProviderError).code)
    })

    it('treats a connection dropped before the end of the stream as a stream error', async () => {
      fake.enqueue({ kind: 'cut', text: 'half a' })
      const result = await collect(c.build(fake))
      expect(result.text).toBe('half a')
      expect((result.error as ProviderError).code).toBe('stream_error')
    })

    it('times out a stream that goes silent, keeping what arrived', async () => {
      fake.enqueue({ kind: 'hang', text: 'started to' })
      const result = await collect(c.build(fake))
      expect(result.text).toBe('started to')
      expect((result.error as ProviderError).code).toBe('timeout')
    })

    it('times out a provider that never answers', async () => {
      fake.enqueue({ kind: 'hang-before-headers' }, { kind: 'hang-before-headers' })
      const result = await collect(withRetry(c.build(fake), { ...retry, maxAttempts: 2 }))
      expect((result.error as ProviderError).code).toBe('timeout')
    })

    it('reports a wrong API key as an auth error without retrying', async () => {
      const before = fake.requests.length
      const result = await collect(withRetry(c.build(fake, 'wrong-key'), retry))
      expect((result.error as ProviderError).code).toBe('auth_error')
      expect(fake.requests.length - before).toBe(1)
    })
  })
}
