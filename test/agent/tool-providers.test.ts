// The tool loop against each provider's double, through the real runtime on the AI SDK: the model calls a tool in the
// provider's own streaming format, the runtime runs it and sends the result back in that format, and the model's
// final text ends the turn. And the step bound: a model that keeps calling tools is stopped after MYINTELL_TOOL_MAX_STEPS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { startFakeAnthropic } from '../fakes/anthropic-api.ts'
import { startFakeGoogle } from '../fakes/google-api.ts'
import { startFakeOpenAi } from '../fakes/openai-api.ts'
import type { FakeProvider, RecordedRequest } from '../fakes/provider-script.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_CONTROL_TOKEN, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'
import { readSse } from './support/sse.ts'

const MAX_STEPS = 3

let anthropic: FakeProvider
let openai: FakeProvider
let google: FakeProvider
let compatible: FakeProvider
let config: RuntimeConfig
let runtime: RuntimeProcess
let call: typeof fetch

const chat = (message: string) => call(`${runtime.baseUrl}/v1/chat`, {
  method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ message }),
})

async function useModel(model: RuntimeConfig['model'], secrets: Record<string, string>): Promise<void> {
  const res = await fetch(`${runtime.baseUrl}/_myintell/config`, {
    method: 'PUT', headers: { authorization: `Bearer ${TEST_CONTROL_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...config, model, secrets }),
  })
  expect(res.status).toBe(200)
}

beforeAll(async () => {
  ;[anthropic, openai, google, compatible] = await Promise.all([startFakeAnthropic(), startFakeOpenAi(), startFakeGoogle(), startFakeOpenAi({ apiKey: null })])
  config = agentConfig(await createTestDatabase('agent_toolprov'), { tools: ['clock', 'memory'], timezone: 'Europe/Paris' })
  runtime = await spawnRuntime({ config, env: { MYINTELL_TOOL_MAX_STEPS: String(MAX_STEPS), MYINTELL_PROVIDER_TIMEOUT_MS: '2000' } })
  await waitUntilReady(runtime.baseUrl)
  call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
})
afterAll(async () => {
  await runtime?.stop()
  await Promise.all([anthropic, openai, google, compatible].map((f) => f?.close()))
})

const cases: Array<{ name: string; fake: () => FakeProvider; model: RuntimeConfig['model']; secrets: () => Record<string, string> }> = [
  { name: 'anthropic', fake: () => anthropic, model: { provider: 'anthropic', model: 'claude-test' }, secrets: () => ({ ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: anthropic.url }) },
  { name: 'openai', fake: () => openai, model: { provider: 'openai', model: 'gpt-test' }, secrets: () => ({ OPENAI_API_KEY: 'sk-openai-test', OPENAI_BASE_URL: `${openai.url}/v1` }) },
  { name: 'google', fake: () => google, model: { provider: 'google', model: 'gemini-test' }, secrets: () => ({ GOOGLE_API_KEY: 'google-test-key', GOOGLE_BASE_URL: `${google.url}/v1beta` }) },
  { name: 'openai-compatible (no key, like Ollama)', fake: () => compatible, model: { provider: 'ollama', model: 'llama-test' }, secrets: () => ({ OPENAI_COMPATIBLE_BASE_URL: `${compatible.url}/v1` }) },
]

for (const c of cases) {
  describe(`the tool loop on ${c.name}`, () => {
    it('calls a tool, sends its result back in the provider format and streams the final text', async () => {
      const fake = c.fake()
      await useModel(c.model, c.secrets())
      const before = fake.requests.length
      fake.enqueue(
        { kind: 'tool-calls', text: 'Checking the time.', calls: [{ name: 'clock', args: {} }], usage: { inputTokens: 50, outputTokens: 10 } },
        (req: RecordedRequest) => ({ kind: 'reply', text: `It is ${(fake.toolResults(req)[0]?.output as { now?: string })?.now ?? 'unknown'} in Paris.`, usage: { inputTokens: 80, outputTokens: 7 } }),
      )
      const frames = await readSse(await chat('What time is it?'))
      const sent = fake.requests.slice(before)
      expect(sent).toHaveLength(2)
      expect(fake.toolNames(sent[0]).sort()).toEqual(['clock', 'memory'])

      const toolCall = frames.find((f) => f.event === 'tool-call')!
      const toolResult = frames.find((f) => f.event === 'tool-result')!
      expect(toolCall.data).toMatchObject({ name: 'clock', args: {} })
      expect(toolResult.data).toMatchObject({ id: toolCall.data.id, name: 'clock', isError: false, result: { timezone: 'Europe/Paris' } })
      // What the runtime sent back is what the tool returned.
      expect(fake.toolResults(sent[1])[0]?.output).toEqual(toolResult.data.result)

      const text = frames.filter((f) => f.event === 'delta').map((f) => f.data.text).join('')
      expect(text).toBe(`Checking the time.It is ${toolResult.data.result.now} in Paris.`)
      expect(frames.at(-1)).toMatchObject({ event: 'done', data: { finishReason: 'stop', usage: { inputTokens: 130, outputTokens: 17, toolCalls: 1 } } })
    })
  })
}

describe('tool steps in the history of a conversation', () => {
  it('sends the earlier turn\'s tool call and result back with the conversation on the next turn', async () => {
    await useModel(cases[1]!.model, cases[1]!.secrets())
    openai.enqueue(
      { kind: 'tool-calls', calls: [{ name: 'clock', args: { timezone: 'Asia/Tokyo' }, id: 'call_hist1' }] },
      { kind: 'reply', text: 'It is evening in Tokyo.' },
    )
    const first = await readSse(await chat('Time in Tokyo?'))
    const conversationId = first[0]!.data.conversationId
    const result = first.find((f) => f.event === 'tool-result')!.data.result
    openai.enqueue({ kind: 'reply', text: 'As I said.' })
    const res = await call(`${runtime.baseUrl}/v1/chat`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'And again?', conversationId }),
    })
    expect((await res.json()).reply).toBe('As I said.')
    const messages = openai.requests.at(-1)!.body.messages as Array<Record<string, any>>
    // system, the first question, the call, its result, the first reply, the new question.
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user'])
    expect(messages[2]).toMatchObject({ tool_calls: [{ id: 'call_hist1', function: { name: 'clock' } }] })
    expect(JSON.parse(messages[2]!.tool_calls[0].function.arguments)).toEqual({ timezone: 'Asia/Tokyo' })
    expect(messages[3]).toMatchObject({ tool_call_id: 'call_hist1' })
    expect(JSON.parse(messages[3]!.content)).toEqual(result)
    expect(messages[4]).toMatchObject({ content: 'It is evening in Tokyo.' })
  })
})

describe('the step bound', () => {
  it(`stops a model that keeps calling tools after ${MAX_STEPS} model calls, and ends the turn cleanly`, async () => {
    await useModel(cases[0]!.model, cases[0]!.secrets())
    const before = anthropic.requests.length
    const again = { kind: 'tool-calls' as const, calls: [{ name: 'clock', args: {} }] }
    anthropic.enqueue(again, again, again, again, again)
    const frames = await readSse(await chat('Loop forever'))
    expect(anthropic.requests.length - before).toBe(MAX_STEPS)
    expect(frames.filter((f) => f.event === 'tool-call')).toHaveLength(MAX_STEPS)
    expect(frames.filter((f) => f.event === 'tool-result')).toHaveLength(MAX_STEPS)
    expect(frames.at(-1)).toMatchObject({ event: 'done', data: { finishReason: 'step-limit', usage: { toolCalls: MAX_STEPS } } })
    // The scripts the bound left unused are dropped, so the next test starts clean.
    while (anthropic.pending() > 0) await (await chat('drain')).text()
  })
})
