// The provider doubles driven by the real AI SDK clients: a tool loop (call → result → final text) streaming and
// not, usage, the step bound, retries on 429, no retry on 400, errors parsed from each provider's own error shape.
// Passing here means the doubles speak what @ai-sdk/* parse, so the runtime's tests can trust them.
import { createAnthropic } from '@ai-sdk/anthropic'
import { createGoogleGenerativeAI } from '@ai-sdk/google'
import { createOpenAI } from '@ai-sdk/openai'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import OpenAI from 'openai'
import { APICallError, generateText, isStepCount, Output, streamText, tool } from 'ai'
import type { LanguageModel } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { startFakeAnthropic } from './anthropic-api.ts'
import { startFakeGoogle } from './google-api.ts'
import { startFakeOpenAi } from './openai-api.ts'
import type { FakeProvider, RecordedRequest } from './provider-script.ts'

interface Case {
  name: string
  start: () => Promise<FakeProvider>
  model: (fake: FakeProvider, key?: string) => LanguageModel
  /** The path every model call must reach. */
  path: RegExp
  /** Whether the tool results the client sends back carry the provider's call ids (Gemini's carry the tool name). */
  callIds: boolean
  /** The status a wrong API key gets (Gemini answers 400 INVALID_ARGUMENT). */
  badKeyStatus: number
}

const cases: Case[] = [
  {
    name: 'anthropic', start: () => startFakeAnthropic(), path: /^\/v1\/messages$/, callIds: true, badKeyStatus: 401,
    model: (fake, key = 'sk-ant-test') => createAnthropic({ apiKey: key, baseURL: `${fake.url}/v1` })('claude-haiku-4-5'),
  },
  {
    name: 'openai chat completions', start: () => startFakeOpenAi(), path: /^\/v1\/chat\/completions$/, callIds: true, badKeyStatus: 401,
    model: (fake, key = 'sk-openai-test') => createOpenAI({ apiKey: key, baseURL: `${fake.url}/v1` }).chat('gpt-test'),
  },
  {
    name: 'openai responses', start: () => startFakeOpenAi(), path: /^\/v1\/responses$/, callIds: true, badKeyStatus: 401,
    model: (fake, key = 'sk-openai-test') => createOpenAI({ apiKey: key, baseURL: `${fake.url}/v1` })('gpt-test'),
  },
  {
    name: 'google', start: () => startFakeGoogle(), path: /^\/v1beta\/models\/gemini-test:(stream)?[gG]enerateContent/, callIds: false, badKeyStatus: 400,
    model: (fake, key = 'google-test-key') => createGoogleGenerativeAI({ apiKey: key, baseURL: `${fake.url}/v1beta` })('gemini-test'),
  },
  {
    name: 'openai-compatible (an Ollama-like server)', start: () => startFakeOpenAi({ apiKey: 'ollama-key' }), path: /^\/v1\/chat\/completions$/, callIds: true, badKeyStatus: 401,
    model: (fake, key = 'ollama-key') => createOpenAICompatible({ name: 'ollama', apiKey: key, baseURL: `${fake.url}/v1`, includeUsage: true })('llama-test'),
  },
]

// What the tools were called with, so a test can see the arguments survived the provider's streaming format.
const executed: Array<{ tool: string; input: unknown }> = []
const tools = {
  add: tool({
    description: 'Adds two numbers',
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    execute: async ({ a, b }) => { executed.push({ tool: 'add', input: { a, b } }); return { sum: a + b } },
  }),
  shout: tool({
    description: 'Upper-cases a text',
    inputSchema: z.object({ text: z.string() }),
    execute: async ({ text }) => { executed.push({ tool: 'shout', input: { text } }); return { text: text.toUpperCase(), length: text.length } },
  }),
}

/** The final turn's text is written from what the double received, so it shows the tool result made the round trip. */
const answerFromResults = (fake: FakeProvider) => (req: RecordedRequest) => ({
  kind: 'reply' as const,
  text: `Results: ${fake.toolResults(req).map((r) => JSON.stringify(r.output)).join(' and ')}`,
  usage: { inputTokens: 40, outputTokens: 9 },
})

for (const c of cases) {
  describe(`the AI SDK against the ${c.name} double`, () => {
    let fake: FakeProvider
    beforeAll(async () => { fake = await c.start() })
    afterAll(async () => { await fake.close() })
    const since = (before: number) => fake.requests.slice(before)

    it('streams a tool call, runs the tool, sends its result back and streams the final text', async () => {
      executed.length = 0
      const before = fake.requests.length
      fake.enqueue(
        { kind: 'tool-calls', text: 'Let me add.', calls: [{ name: 'add', args: { a: 2, b: 40 } }], usage: { inputTokens: 30, outputTokens: 12 } },
        answerFromResults(fake),
      )
      const result = streamText({ model: c.model(fake), tools, stopWhen: isStepCount(3), prompt: 'What is 2 + 40?' })
      const parts: Array<{ type: string; [k: string]: unknown }> = []
      for await (const part of result.fullStream) parts.push(part as never)

      expect(parts.filter((p) => p.type === 'error')).toEqual([])
      expect(executed).toEqual([{ tool: 'add', input: { a: 2, b: 40 } }])
      const call = parts.find((p) => p.type === 'tool-call')!
      expect(call).toMatchObject({ toolName: 'add', input: { a: 2, b: 40 } })
      expect(parts.find((p) => p.type === 'tool-result')).toMatchObject({ toolName: 'add', output: { sum: 42 } })
      expect(await result.text).toBe('Results: {"sum":42}')

      const sent = since(before)
      expect(sent).toHaveLength(2)
      for (const req of sent) {
        expect(req.path).toMatch(c.path)
        expect(req.stream).toBe(true)
        expect(fake.toolNames(req).sort()).toEqual(['add', 'shout'])
      }
      const seen = fake.toolResults(sent[1])
      expect(seen.map((r) => r.output)).toEqual([{ sum: 42 }])
      if (c.callIds) expect(seen[0]?.callId).toBe(call.toolCallId)
      else expect(seen[0]?.name).toBe('add')

      const usage = await result.totalUsage
      expect(usage.inputTokens).toBe(70)
      expect(usage.outputTokens).toBe(21)
    })

    it('runs two tool calls of one turn without streaming and answers both', async () => {
      executed.length = 0
      const before = fake.requests.length
      fake.enqueue(
        { kind: 'tool-calls', calls: [{ name: 'add', args: { a: 1, b: 2 } }, { name: 'shout', args: { text: 'hi there' } }], usage: { inputTokens: 25, outputTokens: 20 } },
        answerFromResults(fake),
      )
      const result = await generateText({ model: c.model(fake), tools, stopWhen: isStepCount(3), prompt: 'Add and shout' })

      expect(executed.map((e) => e.tool).sort()).toEqual(['add', 'shout'])
      expect(result.steps).toHaveLength(2)
      const [first] = result.steps
      expect(first?.toolCalls.map((t) => [t.toolName, t.input])).toEqual([['add', { a: 1, b: 2 }], ['shout', { text: 'hi there' }]])
      const sent = since(before)
      expect(sent.map((r) => r.stream)).toEqual([false, false])
      expect(fake.toolResults(sent[1]).map((r) => r.output)).toEqual([{ sum: 3 }, { text: 'HI THERE', length: 8 }])
      if (c.callIds) expect(fake.toolResults(sent[1]).map((r) => r.callId)).toEqual(first?.toolCalls.map((t) => t.toolCallId))
      expect(result.text).toBe('Results: {"sum":3} and {"text":"HI THERE","length":8}')
      expect(result.totalUsage).toMatchObject({ inputTokens: 65, outputTokens: 29 })
    })

    it('stops a model that keeps calling tools at the step bound', async () => {
      const before = fake.requests.length
      const again = { kind: 'tool-calls' as const, calls: [{ name: 'add', args: { a: 1, b: 1 } }] }
      fake.enqueue(again, again, again)
      const result = await generateText({ model: c.model(fake), tools, stopWhen: isStepCount(3), prompt: 'Loop' })
      // Without the bound the SDK would ask a fourth time and get the double's default reply.
      expect(result.steps).toHaveLength(3)
      expect(result.steps.every((s) => s.finishReason === 'tool-calls')).toBe(true)
      expect(since(before)).toHaveLength(3)
      // The third request carries the results of the two calls before it.
      expect(fake.toolResults(since(before)[2]).map((r) => r.output)).toEqual([{ sum: 2 }, { sum: 2 }])
    })

    it('retries a 429 the provider answers with its rate-limit error, then succeeds', async () => {
      const before = fake.requests.length
      fake.enqueue({ kind: 'status', status: 429, retryAfterSeconds: 1, message: 'Slow down' }, { kind: 'reply', text: 'after the wait' })
      const result = await generateText({ model: c.model(fake), prompt: 'Hello' })
      expect(result.text).toBe('after the wait')
      expect(since(before)).toHaveLength(2)
    })

    it('does not retry a 400, and surfaces the message from the provider error body', async () => {
      const before = fake.requests.length
      fake.enqueue({ kind: 'status', status: 400, message: 'messages: field required' })
      const error = await generateText({ model: c.model(fake), prompt: 'Hello' }).catch((e: unknown) => e)
      expect(APICallError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ statusCode: 400, isRetryable: false, message: 'messages: field required' })
      expect(since(before)).toHaveLength(1)
    })

    it('refuses a wrong API key with the provider status, not retried', async () => {
      const before = fake.requests.length
      const error = await generateText({ model: c.model(fake, 'wrong-key'), prompt: 'Hello' }).catch((e: unknown) => e)
      expect(error).toMatchObject({ statusCode: c.badKeyStatus, isRetryable: false })
      expect(since(before)).toHaveLength(1)
    })

    it('delivers the text before a mid-stream error, then the error', async () => {
      fake.enqueue({ kind: 'error-mid-stream', text: 'I was saying' })
      // onError keeps the SDK from logging the error it also puts in the stream.
      const result = streamText({ model: c.model(fake), prompt: 'Talk', onError: () => {} })
      let text = ''
      const errors: unknown[] = []
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') text += part.text
        if (part.type === 'error') errors.push(part.error)
      }
      expect(text).toBe('I was saying')
      expect(errors).toHaveLength(1)
      expect((errors[0] as Error).message).toMatch(/overloaded|server had an error/i)
    })
  })
}

describe('provider-specific wire details', () => {
  let anthropic: FakeProvider
  let openai: FakeProvider
  let google: FakeProvider
  beforeAll(async () => { [anthropic, openai, google] = await Promise.all([startFakeAnthropic(), startFakeOpenAi(), startFakeGoogle()]) })
  afterAll(async () => { await Promise.all([anthropic.close(), openai.close(), google.close()]) })

  it('answers 529 overloaded on Anthropic as a retryable overloaded_error', async () => {
    anthropic.enqueue({ kind: 'status', status: 529, message: 'Overloaded' })
    const model = createAnthropic({ apiKey: 'sk-ant-test', baseURL: `${anthropic.url}/v1` })('claude-haiku-4-5')
    const error = await generateText({ model, prompt: 'Hi', maxRetries: 0 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ statusCode: 529, isRetryable: true, message: 'Overloaded' })
    expect(JSON.parse((error as APICallError).responseBody!)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
  })

  it('sends tool results to Anthropic as tool_result blocks after the assistant tool_use', async () => {
    anthropic.enqueue({ kind: 'tool-calls', calls: [{ name: 'add', args: { a: 5, b: 5 }, id: 'toolu_fixed1' }] }, { kind: 'reply', text: 'ten' })
    const model = createAnthropic({ apiKey: 'sk-ant-test', baseURL: `${anthropic.url}/v1` })('claude-haiku-4-5')
    await generateText({ model, tools, stopWhen: isStepCount(2), prompt: 'Add' })
    const messages = anthropic.requests.at(-1)!.body.messages
    expect(messages.at(-2)).toMatchObject({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_fixed1', name: 'add', input: { a: 5, b: 5 } }] })
    expect(messages.at(-1)).toMatchObject({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_fixed1' }] })
  })

  it('records response_format on Chat Completions and returns structured output', async () => {
    openai.enqueue({ kind: 'reply', text: '{"city":"Paris","population":2100000}' })
    const model = createOpenAI({ apiKey: 'sk-openai-test', baseURL: `${openai.url}/v1` }).chat('gpt-test')
    const result = await generateText({ model, prompt: 'A city', output: Output.object({ schema: z.object({ city: z.string(), population: z.number() }) }) })
    expect(result.output).toEqual({ city: 'Paris', population: 2100000 })
    expect(openai.requests.at(-1)!.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { schema: { type: 'object' } } })
  })

  it('sends function_call_output items to the Responses API', async () => {
    openai.enqueue({ kind: 'tool-calls', calls: [{ name: 'shout', args: { text: 'ok' }, id: 'call_fixed1' }] }, { kind: 'reply', text: 'done' })
    const model = createOpenAI({ apiKey: 'sk-openai-test', baseURL: `${openai.url}/v1` })('gpt-test')
    await generateText({ model, tools, stopWhen: isStepCount(2), prompt: 'Shout' })
    const input = openai.requests.at(-1)!.body.input
    expect(input.at(-1)).toMatchObject({ type: 'function_call_output', call_id: 'call_fixed1' })
    expect(JSON.parse(input.at(-1).output)).toEqual({ text: 'OK', length: 2 })
  })

  it('sends Gemini functionResponse parts with the tool name and the tool output', async () => {
    google.enqueue({ kind: 'tool-calls', calls: [{ name: 'add', args: { a: 7, b: 8 } }] }, { kind: 'reply', text: 'fifteen' })
    const model = createGoogleGenerativeAI({ apiKey: 'google-test-key', baseURL: `${google.url}/v1beta` })('gemini-test')
    const result = await generateText({ model, tools, stopWhen: isStepCount(2), prompt: 'Add' })
    const contents = google.requests.at(-1)!.body.contents
    // The signature the double put on the call comes back with it, as Gemini 3 requires.
    const signature = result.steps[0]?.toolCalls[0]?.providerMetadata?.google?.thoughtSignature
    expect(signature).toEqual(expect.any(String))
    expect(contents.at(-2)).toMatchObject({ role: 'model', parts: [{ functionCall: { name: 'add', args: { a: 7, b: 8 } }, thoughtSignature: signature }] })
    expect(contents.at(-1)).toMatchObject({ role: 'user', parts: [{ functionResponse: { name: 'add', response: { name: 'add', content: { sum: 15 } } } }] })
  })

  it('answers a Gemini 429 in Google error shape with RetryInfo', async () => {
    google.enqueue({ kind: 'status', status: 429, retryAfterSeconds: 7, message: 'You exceeded your current quota' })
    const model = createGoogleGenerativeAI({ apiKey: 'google-test-key', baseURL: `${google.url}/v1beta` })('gemini-test')
    const error = await generateText({ model, prompt: 'Hi', maxRetries: 0 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ statusCode: 429, isRetryable: true, message: 'You exceeded your current quota' })
    expect(JSON.parse((error as APICallError).responseBody!).error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ retryDelay: '7s' }] })
  })

  it('streams Gemini as a JSON array when the client does not ask for SSE', async () => {
    google.enqueue({ kind: 'reply', text: 'two words' })
    const res = await fetch(`${google.url}/v1beta/models/gemini-test:streamGenerateContent`, {
      method: 'POST', headers: { 'x-goog-api-key': 'google-test-key', 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
    })
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const chunks = (await res.json()) as Array<{ candidates: Array<{ content: { parts: Array<{ text?: string }> }; finishReason?: string }> }>
    expect(chunks.map((c) => c.candidates[0]?.content.parts.map((p) => p.text).join('')).join('')).toBe('two words')
    expect(chunks.at(-1)?.candidates[0]?.finishReason).toBe('STOP')
  })

  it("streams tool_calls the official openai client assembles into its final completion", async () => {
    openai.enqueue({ kind: 'tool-calls', calls: [{ name: 'add', args: { a: 1, b: 2 }, id: 'call_a' }, { name: 'shout', args: { text: 'yo' }, id: 'call_b' }] })
    const client = new OpenAI({ apiKey: 'sk-openai-test', baseURL: `${openai.url}/v1`, maxRetries: 0 })
    const stream = client.chat.completions.stream({
      model: 'gpt-test', messages: [{ role: 'user', content: 'Go' }], stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'add', parameters: { type: 'object' } } }, { type: 'function', function: { name: 'shout', parameters: { type: 'object' } } }],
    })
    const final = await stream.finalChatCompletion()
    expect(final.choices[0]?.finish_reason).toBe('tool_calls')
    expect(final.choices[0]?.message.tool_calls?.map((t) => t.type === 'function' && [t.id, t.function.name, JSON.parse(t.function.arguments)]))
      .toEqual([['call_a', 'add', { a: 1, b: 2 }], ['call_b', 'shout', { text: 'yo' }]])
    expect(final.usage?.total_tokens).toBeGreaterThan(0)
  })

  it('answers the official openai client on the Responses API with function_call output items', async () => {
    openai.enqueue({ kind: 'tool-calls', calls: [{ name: 'add', args: { a: 4, b: 4 }, id: 'call_c' }] })
    const client = new OpenAI({ apiKey: 'sk-openai-test', baseURL: `${openai.url}/v1`, maxRetries: 0 })
    const response = await client.responses.create({ model: 'gpt-test', input: 'Add', tools: [{ type: 'function', name: 'add', parameters: { type: 'object' }, strict: false }] })
    expect(response.output).toMatchObject([{ type: 'function_call', call_id: 'call_c', name: 'add', arguments: '{"a":4,"b":4}' }])
    const streamed = await client.responses.stream({ model: 'gpt-test', input: 'Hello there' }).finalResponse()
    expect(streamed.output_text).toBe('Fake GPT heard: Hello there')
  })
})
