// The official `openai` client sends `tools` to a superfriend and gets `tool_calls` back (finish_reason "tool_calls"),
// streaming and not; it sends the tool's result as a `tool` message and gets the final answer. The agent's own tools
// run server-side in the same turn; tool_choice "none" and bad tool fields are honoured and refused like OpenAI does.
// The agent runs the offline local model, which calls a tool when a message says `call <tool> <json>` or `use <tool>`.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { startFakeOpenAi } from '../fakes/openai-api.ts'
import type { FakeProvider } from '../fakes/provider-script.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_CONTROL_TOKEN, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

let config: RuntimeConfig
let runtime: RuntimeProcess
let client: OpenAI
let upstream: FakeProvider

const weather: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
}

beforeAll(async () => {
  upstream = await startFakeOpenAi()
  config = agentConfig(await createTestDatabase('agent_oai_tools'), { tools: ['clock'] })
  runtime = await spawnRuntime({ config })
  await waitUntilReady(runtime.baseUrl)
  client = new OpenAI({ apiKey: 'unused-behind-the-edge', baseURL: `${runtime.baseUrl}/v1`, fetch: signedFetch({ secret: TEST_SECRET, slug: config.slug }), maxRetries: 0 })
})
afterAll(async () => {
  await runtime?.stop()
  await upstream?.close()
})

describe('client tools through the OpenAI-compatible route', () => {
  it('returns the model\'s call of a client tool as tool_calls with finish_reason "tool_calls"', async () => {
    const completion = await client.chat.completions.create({
      model: config.slug, tools: [weather],
      messages: [{ role: 'user', content: 'call get_weather {"city":"Paris"}' }],
    })
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBeNull()
    expect(choice.message.tool_calls).toHaveLength(1)
    const toolCall = choice.message.tool_calls![0]!
    expect(toolCall.type === 'function' && [toolCall.function.name, JSON.parse(toolCall.function.arguments)]).toEqual(['get_weather', { city: 'Paris' }])
    expect(toolCall.id).toEqual(expect.any(String))
  })

  it('streams tool_calls deltas the client assembles into its final completion', async () => {
    const stream = client.chat.completions.stream({
      model: config.slug, tools: [weather], stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'call get_weather {"city":"Oslo"}' }],
    })
    const final = await stream.finalChatCompletion()
    expect(final.choices[0]?.finish_reason).toBe('tool_calls')
    const calls = final.choices[0]?.message.tool_calls ?? []
    expect(calls.map((t) => t.type === 'function' && [t.function.name, JSON.parse(t.function.arguments)])).toEqual([['get_weather', { city: 'Oslo' }]])
    expect(final.usage?.total_tokens).toBeGreaterThan(0)
  })

  it('accepts the tool result as a tool message and answers with it', async () => {
    const first = await client.chat.completions.create({
      model: config.slug, tools: [weather], messages: [{ role: 'user', content: 'call get_weather {"city":"Rome"}' }],
    })
    const assistant = first.choices[0]!.message
    const toolCall = assistant.tool_calls![0]!
    const second = await client.chat.completions.create({
      model: config.slug, tools: [weather],
      messages: [
        { role: 'user', content: 'call get_weather {"city":"Rome"}' },
        { role: 'assistant', content: assistant.content, tool_calls: assistant.tool_calls! },
        { role: 'tool', tool_call_id: toolCall.id, content: '{"forecast":"sunny","celsius":24}' },
      ],
    })
    expect(second.choices[0]!.finish_reason).toBe('stop')
    expect(second.choices[0]!.message.content).toContain('get_weather returned {"forecast":"sunny","celsius":24}')
  })

  it("runs the agent's own tools server-side in the same turn and answers with text", async () => {
    const completion = await client.chat.completions.create({ model: config.slug, tools: [weather], messages: [{ role: 'user', content: 'use clock' }] })
    expect(completion.choices[0]!.finish_reason).toBe('stop')
    expect(completion.choices[0]!.message.tool_calls ?? []).toEqual([])
    expect(completion.choices[0]!.message.content).toMatch(/clock returned .*"timezone":"UTC"/)
  })

  it('calls no tool with tool_choice "none"', async () => {
    const completion = await client.chat.completions.create({
      model: config.slug, tools: [weather], tool_choice: 'none', messages: [{ role: 'user', content: 'call get_weather {"city":"Paris"}' }],
    })
    expect(completion.choices[0]!.finish_reason).toBe('stop')
    expect(completion.choices[0]!.message.content).toContain('You said:')
  })

  it('refuses bad tool fields as a BadRequestError naming the parameter', async () => {
    const cases: Array<[Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>, string]> = [
      [{ tools: [{ type: 'function', function: { name: 'bad name!' } }] }, 'tools[0].function.name'],
      [{ tools: [weather, weather] }, 'tools[1].function.name'],
      [{ tools: [weather], tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice'],
      [{ messages: [{ role: 'user', content: 'hi' }, { role: 'tool', tool_call_id: 'call_unknown', content: 'x' }] }, 'messages[1].tool_call_id'],
      [{ response_format: { type: 'xml' } as never }, 'response_format.type'],
    ]
    for (const [extra, param] of cases) {
      const err = await client.chat.completions.create({ model: config.slug, messages: [{ role: 'user', content: 'hi' }], ...extra }).catch((e) => e)
      expect(err, param).toBeInstanceOf(OpenAI.BadRequestError)
      expect(err.param, param).toBe(param)
    }
  })
})

describe('tools and response_format reaching the upstream model', () => {
  it('passes client tools, tool_choice and a json_schema response_format to an OpenAI model, and returns its tool_calls', async () => {
    const res = await fetch(`${runtime.baseUrl}/_myintell/config`, {
      method: 'PUT', headers: { authorization: `Bearer ${TEST_CONTROL_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...config, model: { provider: 'openai', model: 'gpt-test' }, secrets: { OPENAI_API_KEY: 'sk-openai-test', OPENAI_BASE_URL: `${upstream.url}/v1` } }),
    })
    expect(res.status).toBe(200)
    upstream.enqueue({ kind: 'tool-calls', calls: [{ name: 'get_weather', args: { city: 'Lima' }, id: 'call_lima' }] })
    const completion = await client.chat.completions.create({
      model: config.slug, tools: [weather], tool_choice: 'required', messages: [{ role: 'user', content: 'Weather in Lima?' }],
    })
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls')
    expect(completion.choices[0]!.message.tool_calls).toMatchObject([{ id: 'call_lima', function: { name: 'get_weather', arguments: '{"city":"Lima"}' } }])
    const sent = upstream.requests.at(-1)!.body
    expect(upstream.toolNames().sort()).toEqual(['clock', 'get_weather'])
    expect(sent.tool_choice).toBe('required')

    upstream.enqueue({ kind: 'reply', text: '{"city":"Lima","celsius":19}' })
    const structured = await client.chat.completions.create({
      model: config.slug, messages: [{ role: 'user', content: 'As JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: { type: 'object', properties: { city: { type: 'string' }, celsius: { type: 'number' } } } } },
    })
    expect(JSON.parse(structured.choices[0]!.message.content!)).toEqual({ city: 'Lima', celsius: 19 })
    expect(upstream.requests.at(-1)!.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'weather', schema: { type: 'object' } } })
  })
})
