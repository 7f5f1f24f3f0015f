// The Responses API with the official `openai` client against a real runtime (the built bundle, a real tenant
// database, the offline local model): plain, streamed, chained with previous_response_id across a restart, client
// function tools, retrieve and delete, each caller of a public agent on its own chains, and bad input changing nothing.
import OpenAI from 'openai'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch, type EdgeIdentity } from './support/signed-fetch.ts'

let dbUrl: string
let config: RuntimeConfig
let runtime: RuntimeProcess
let client: OpenAI

function clientAs(identity: Partial<EdgeIdentity> = {}): OpenAI {
  return new OpenAI({
    apiKey: 'unused-behind-the-edge', baseURL: `${runtime.baseUrl}/v1`, maxRetries: 0,
    fetch: signedFetch({ secret: TEST_SECRET, slug: config.slug, ...identity }),
  })
}

async function count(table: string): Promise<number> {
  const db = new pg.Client({ connectionString: dbUrl })
  await db.connect()
  try {
    return Number((await db.query(`select count(*)::int as n from ${table}`)).rows[0].n)
  } finally {
    await db.end()
  }
}

beforeAll(async () => {
  dbUrl = await createTestDatabase('agent_resp')
  config = agentConfig(dbUrl, { visibility: 'public' })
  runtime = await spawnRuntime({ config })
  await waitUntilReady(runtime.baseUrl)
  client = clientAs()
})
afterAll(async () => { await runtime?.stop() })

describe('POST /v1/responses with the official client', () => {
  it('answers a string input with the persona, an output message and usage', async () => {
    const response = await client.responses.create({ model: 'anything', input: 'hello there' })
    expect(response.id).toMatch(/^resp_/)
    expect(response.object).toBe('response')
    expect(response.status).toBe('completed')
    expect(response.model).toBe('anything')
    expect(response.output).toHaveLength(1)
    const item = response.output[0]!
    expect(item.type).toBe('message')
    // output_text is the client's own convenience, computed from output.
    expect(response.output_text).toMatch(/^\[local dev model\] Ada here\. You said: "hello there"\./)
    expect(response.usage!.output_tokens).toBeGreaterThan(0)
    expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens)
  })

  it('takes input items and instructions, and answers the last user message', async () => {
    const response = await client.responses.create({
      model: config.slug,
      instructions: 'Your name is Bea.',
      input: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'second question' }] },
      ],
    })
    // The assistant item is history; what reached the model is read in responses-provider.test.ts.
    expect(response.output_text).toContain('You said: "second question"')
    expect(response.output_text).toContain('(turn 2)')
    expect(response.instructions).toBe('Your name is Bea.')
  })

  it('streams the documented events in order, numbered, with SSE names equal to their types', async () => {
    const stream = await client.responses.create({ model: config.slug, input: 'stream to me', stream: true })
    const types: string[] = []
    const numbers: number[] = []
    let text = ''
    let completed: OpenAI.Responses.Response | null = null
    for await (const event of stream) {
      types.push(event.type)
      numbers.push(event.sequence_number)
      if (event.type === 'response.output_text.delta') text += event.delta
      if (event.type === 'response.completed') completed = event.response
    }
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added'])
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed'])
    expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(3)
    expect(numbers).toEqual(numbers.map((_, i) => i))
    expect(text).toContain('You said: "stream to me"')
    expect(completed!.status).toBe('completed')
    // Kept before `response.completed` went out.
    expect((await client.responses.retrieve(completed!.id)).output).toEqual(completed!.output)
  })

  it('names each SSE event after its type', async () => {
    const fetcher = signedFetch({ secret: TEST_SECRET, slug: config.slug })
    const res = await fetcher(`${runtime.baseUrl}/v1/responses`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'names', stream: true }),
    })
    const body = await res.text()
    const frames = body.trim().split('\n\n').map((f) => ({
      event: /^event: (.+)$/m.exec(f)?.[1], data: JSON.parse(/^data: (.+)$/m.exec(f)![1]!) as { type: string },
    }))
    expect(frames.length).toBeGreaterThan(8)
    for (const frame of frames) expect(frame.event).toBe(frame.data.type)
  })

  it('continues a chain with previous_response_id, across a restart of the runtime', async () => {
    const first = await client.responses.create({ model: config.slug, input: 'my first turn' })
    await runtime.stop()
    runtime = await spawnRuntime({ config })
    await waitUntilReady(runtime.baseUrl)
    client = clientAs()
    const second = await client.responses.create({ model: config.slug, input: 'my second turn', previous_response_id: first.id })
    expect(second.previous_response_id).toBe(first.id)
    // The local model counts the user turns it was given: the first came from the stored chain.
    expect(second.output_text).toContain('You said: "my second turn"')
    expect(second.output_text).toContain('(turn 2)')
    const third = await client.responses.create({ model: config.slug, input: 'my third turn', previous_response_id: second.id })
    expect(third.output_text).toContain('(turn 3)')
    // The chain is one conversation, shown as text like any chat.
    const fetcher = signedFetch({ secret: TEST_SECRET, slug: config.slug })
    const list = await (await fetcher(`${runtime.baseUrl}/v1/conversations?limit=100`)).json() as { data: Array<{ id: string; title: string }> }
    expect(list.data.filter((c) => c.title === 'my first turn')).toHaveLength(1)
  })

  it('does not keep a response asked not to be stored', async () => {
    const before = await count('responses')
    const response = await client.responses.create({ model: config.slug, input: 'forget this', store: false })
    expect((response as { store?: boolean }).store).toBe(false)
    expect(await count('responses')).toBe(before)
    const err = await client.responses.retrieve(response.id).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
  })

  it('retrieves and deletes a response; a deleted one cannot be continued', async () => {
    const response = await client.responses.create({ model: config.slug, input: 'keep me' })
    const got = await client.responses.retrieve(response.id)
    expect(got.id).toBe(response.id)
    expect(got.output).toEqual(response.output)
    await client.responses.delete(response.id)
    expect(await client.responses.retrieve(response.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
    const err = await client.responses.create({ model: config.slug, input: 'x', previous_response_id: response.id }).catch((e: unknown) => e) as InstanceType<typeof OpenAI.NotFoundError>
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect(err.param).toBe('previous_response_id')
  })

  it('round-trips a client function tool: function_call out, function_call_output back', async () => {
    const tools: OpenAI.Responses.Tool[] = [{
      type: 'function', name: 'get_weather', description: 'The weather in a city', strict: false,
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    }]
    // The local model calls a tool for a line `call <tool> <json>` (agent/README.md).
    const asked = await client.responses.create({ model: config.slug, input: 'call get_weather {"city":"Lisbon"}', tools })
    const call = asked.output.find((i) => i.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall
    expect(call).toBeDefined()
    expect(call.name).toBe('get_weather')
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Lisbon' })
    const answered = await client.responses.create({
      model: config.slug, previous_response_id: asked.id, tools,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"sky":"sunny","celsius":21}' }],
    })
    expect(answered.status).toBe('completed')
    expect(answered.output_text).toContain('get_weather returned {"sky":"sunny","celsius":21}')
  })

  it('streams a client function call as its own output item', async () => {
    const stream = await client.responses.create({
      model: config.slug, stream: true, input: 'call lookup {"q":"x"}',
      tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false }],
    })
    const types: string[] = []
    let item: OpenAI.Responses.ResponseOutputItem | null = null
    for await (const event of stream) {
      types.push(event.type)
      if (event.type === 'response.output_item.done' && event.item.type === 'function_call') item = event.item
    }
    expect(types).toContain('response.function_call_arguments.done')
    expect(types.at(-1)).toBe('response.completed')
    expect(item).toMatchObject({ type: 'function_call', name: 'lookup', arguments: '{"q":"x"}' })
  })
})

describe('a public agent keeps each caller on its own responses', () => {
  it("does not let one guest read, continue or delete another's response", async () => {
    const alice = clientAs({ principal: 'anon:alice', principalAccess: 'guest' })
    const bob = clientAs({ principal: 'anon:bob', principalAccess: 'guest' })
    const hers = await alice.responses.create({ model: config.slug, input: 'alice private words' })
    expect((await alice.responses.retrieve(hers.id)).id).toBe(hers.id)
    expect(await bob.responses.retrieve(hers.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
    expect(await bob.responses.create({ model: config.slug, input: 'x', previous_response_id: hers.id }).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
    expect(await bob.responses.delete(hers.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
    // Still hers, and the tenant's own account sees it.
    expect((await alice.responses.retrieve(hers.id)).id).toBe(hers.id)
    expect((await client.responses.retrieve(hers.id)).id).toBe(hers.id)
  })
})

describe('bad input', () => {
  const raw = (path: string, init: RequestInit = {}) => signedFetch({ secret: TEST_SECRET, slug: config.slug })(`${runtime.baseUrl}${path}`, init)
  const post = (body: unknown) => raw('/v1/responses', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

  it.each([
    ['no input', { model: 'm' }, 'input', 'missing_required_parameter'],
    ['input of the wrong type', { input: 42 }, 'input', 'invalid_value'],
    ['an empty input', { input: '   ' }, 'input', 'invalid_value'],
    ['an input ending with an assistant message', { input: [{ role: 'assistant', content: 'hi' }] }, 'input', 'invalid_value'],
    ['a tool that is not a function', { input: 'x', tools: [{ type: 'web_search' }] }, 'tools[0].type', 'invalid_value'],
    ['a function_call_output answering no call', { input: [{ type: 'function_call_output', call_id: 'call_nope', output: 'x' }] }, 'input[0].call_id', 'invalid_value'],
    ['a temperature out of range', { input: 'x', temperature: 9 }, 'temperature', 'invalid_value'],
  ])('refuses %s with a 400 OpenAI error naming the parameter, and keeps nothing', async (_what, body, param, code) => {
    const before = [await count('responses'), await count('messages'), await count('conversations')]
    const res = await post(body)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/json')
    const { error } = await res.json() as { error: { message: string; type: string; param: string | null; code: string } }
    expect(error).toMatchObject({ type: 'invalid_request_error', param, code })
    expect(error.message.length).toBeGreaterThan(0)
    expect([await count('responses'), await count('messages'), await count('conversations')]).toEqual(before)
  })

  it('refuses an unknown previous_response_id with a 404 OpenAI error and keeps nothing', async () => {
    const before = await count('messages')
    const res = await post({ input: 'x', previous_response_id: 'resp_unknown' })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ error: { type: 'not_found_error', param: 'previous_response_id', code: 'previous_response_not_found' } })
    expect(await count('messages')).toBe(before)
  })
})

describe('errors in the client’s own shape', () => {
  const raw = (path: string, init: RequestInit = {}) => signedFetch({ secret: TEST_SECRET, slug: config.slug })(`${runtime.baseUrl}${path}`, init)

  it.each(['/v1/embeddings', '/v1/chat/completions/abc', '/v1/responses/resp_1/input_items', '/v1/files'])('answers an unknown OpenAI path %s with a 404 OpenAI error', async (path) => {
    const res = await raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toMatchObject({ error: { type: 'not_found_error', param: null, code: 'unknown_url' } })
  })

  it.each([['GET', '/v1/responses', 'POST'], ['GET', '/v1/chat/completions', 'POST'], ['POST', '/v1/models', 'GET'], ['PUT', '/v1/responses/resp_1', 'GET, DELETE']])(
    'answers %s %s with a 405 OpenAI error and Allow', async (method, path, allow) => {
      const res = await raw(path, { method })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe(allow)
      expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'method_not_allowed' } })
    })

  it('the official client reports an unknown path as a NotFoundError with a message, not "no body"', async () => {
    const err = await client.embeddings.create({ model: 'x', input: 'y' }).catch((e: unknown) => e) as InstanceType<typeof OpenAI.NotFoundError>
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect(err.message).toContain('No route for POST /v1/embeddings')
  })

  it.each(['/nowhere', '/v1/nothing-here', '/v1/chat/nope', '/v1/memories/nope'])('answers %s elsewhere with problem+json', async (path) => {
    const res = await raw(path)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 404, code: 'not-found' })
  })
})
