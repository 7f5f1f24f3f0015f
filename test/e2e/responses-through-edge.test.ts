// Clients nobody here wrote reach a superfriend's Responses API through the real stack (the edge in workerd, the
// cluster-api, the local ingress and driver, a real runtime on the offline local model), as `npm start` runs it:
// the official `openai` client (plain, streamed, a chain across a sleep and a wake, retrieve and delete, a client
// function tool), the AI SDK's default OpenAI provider (generateText, streamText), and errors in the client's shape.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createOpenAI } from '@ai-sdk/openai'
import { generateText, streamText } from 'ai'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlatform, type Platform } from '../../scripts/platform.ts'
import { localFetch } from './support/localhost-fetch.ts'

const START_TIMEOUT_MS = 180_000
/** Short, so a test can watch the agent fall asleep. */
const IDLE_TIMEOUT_MS = 4_000
const LOCAL_REPLY = '[local dev model]'

interface Driver {
  pids(): { agents: Record<string, number[]> }
}

let platform: Platform
let dataDir: string
let slug: string
let agentId: string
let client: OpenAI

async function eventually(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const running = () => (((platform.clusterApi.driver as unknown as Driver).pids().agents[agentId]) ?? []).length > 0

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'myintell-e2e-responses-'))
  const env: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'warn', MYINTELL_ACCESS_LOG: 'off', MYINTELL_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) }
  platform = await startPlatform({ dataDir, edgePort: 0, apiPort: 0, ingressPort: 0, env })
  slug = `resp-${Date.now().toString(36)}`
  const created = await localFetch(`${platform.apiUrl}/v1/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platform.seed.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ slug, name: 'Rhea', persona: { systemPrompt: 'You are Rhea.', style: 'brief' }, model: { provider: 'local', model: 'local-dev' } }),
  })
  expect(created.status).toBe(201)
  agentId = ((await created.json()) as { id: string }).id
  client = new OpenAI({ apiKey: platform.seed.apiKey, baseURL: `${platform.agentUrl(slug)}/v1`, fetch: localFetch, maxRetries: 0 })
}, START_TIMEOUT_MS)

afterAll(async () => {
  await platform?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

describe('the official openai client', () => {
  it('creates a response', async () => {
    const response = await client.responses.create({ model: slug, input: 'hello through the edge' })
    expect(response.status).toBe('completed')
    expect(response.output_text).toContain(`${LOCAL_REPLY} Rhea here. You said: "hello through the edge"`)
    expect(response.usage!.total_tokens).toBeGreaterThan(0)
  })

  it('streams a response event by event', async () => {
    const stream = await client.responses.create({ model: slug, input: 'stream through the edge', stream: true })
    const types: string[] = []
    let text = ''
    for await (const event of stream) {
      types.push(event.type)
      if (event.type === 'response.output_text.delta') text += event.delta
    }
    expect(types[0]).toBe('response.created')
    expect(types.at(-1)).toBe('response.completed')
    expect(text).toContain('You said: "stream through the edge"')
  })

  it('continues a chain with previous_response_id after the agent slept and woke', async () => {
    const first = await client.responses.create({ model: slug, input: 'before the nap' })
    await eventually('the agent to fall asleep', () => !running(), IDLE_TIMEOUT_MS * 15)
    const second = await client.responses.create({ model: slug, input: 'after the nap', previous_response_id: first.id })
    expect(running()).toBe(true)
    expect(second.output_text).toContain('You said: "after the nap"')
    // The local model counts the user turns it was sent: the first one came back from the tenant database.
    expect(second.output_text).toContain('(turn 2)')
  }, 90_000)

  it('retrieves and deletes a response', async () => {
    const response = await client.responses.create({ model: slug, input: 'keep this one' })
    expect((await client.responses.retrieve(response.id)).output).toEqual(response.output)
    await client.responses.delete(response.id)
    expect(await client.responses.retrieve(response.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
  })

  it('round-trips a client function tool', async () => {
    const tools: OpenAI.Responses.Tool[] = [{ type: 'function', name: 'get_time', strict: false, parameters: { type: 'object', properties: { zone: { type: 'string' } } } }]
    const asked = await client.responses.create({ model: slug, input: 'call get_time {"zone":"Europe/Lisbon"}', tools })
    const call = asked.output.find((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === 'function_call')!
    expect(call).toMatchObject({ name: 'get_time', arguments: '{"zone":"Europe/Lisbon"}' })
    const answered = await client.responses.create({
      model: slug, tools, previous_response_id: asked.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '12:00' }],
    })
    expect(answered.output_text).toContain('get_time returned 12:00')
  })

  it('refuses an unknown previous_response_id with a NotFoundError and bad input with a BadRequestError', async () => {
    const missing = await client.responses.create({ model: slug, input: 'x', previous_response_id: 'resp_nothing' }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError)
    const bad = await client.responses.create({ model: slug, input: [] as never }).catch((e: unknown) => e) as InstanceType<typeof OpenAI.BadRequestError>
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError)
    expect(bad.param).toBe('input')
  })
})

describe("the AI SDK's default OpenAI provider (the Responses API)", () => {
  const model = () => createOpenAI({ baseURL: `${platform.agentUrl(slug)}/v1`, apiKey: platform.seed.apiKey, fetch: localFetch })('rhea')

  it('generates text', async () => {
    const result = await generateText({ model: model(), prompt: 'hello from the AI SDK', maxRetries: 0 })
    expect(result.text).toContain('You said: "hello from the AI SDK"')
    expect(result.usage.outputTokens).toBeGreaterThan(0)
  })

  it('streams text', async () => {
    const result = streamText({ model: model(), prompt: 'stream from the AI SDK', maxRetries: 0 })
    let text = ''
    let chunks = 0
    for await (const delta of result.textStream) {
      text += delta
      chunks++
    }
    expect(chunks).toBeGreaterThan(3)
    expect(text).toContain('You said: "stream from the AI SDK"')
    expect((await result.finishReason)).toBe('stop')
  })
})

describe('errors in the client’s own shape, through the edge', () => {
  const call = (path: string, method = 'GET') => localFetch(`${platform.agentUrl(slug)}${path}`, { method, headers: { authorization: `Bearer ${platform.seed.apiKey}` } })

  it('answers an unknown path under /v1 that OpenAI clients call with an OpenAI error, never an empty body', async () => {
    const res = await call('/v1/embeddings', 'POST')
    expect(res.status).toBe(404)
    const body = await res.text()
    expect(body.length).toBeGreaterThan(0)
    expect(JSON.parse(body)).toMatchObject({ error: { type: 'not_found_error', code: 'unknown_url' } })
  })

  it('answers a wrong method on /v1/responses with a 405 OpenAI error', async () => {
    const res = await call('/v1/responses')
    expect(res.status).toBe(405)
    expect(await res.json()).toMatchObject({ error: { code: 'method_not_allowed' } })
  })

  it('answers an unknown path elsewhere with problem+json', async () => {
    const res = await call('/v1/no-such-thing')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 404 })
  })
})
