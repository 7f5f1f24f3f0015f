// The Responses API in front of a real provider's wire format (the OpenAI double, reached through the AI SDK):
// what the model is sent (persona, then instructions and the client's system items; the stored chain), and a
// provider failure as `response.failed` on a stream and as a 502 OpenAI error without one.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { startFakeOpenAi } from '../fakes/openai-api.ts'
import type { FakeProvider } from '../fakes/provider-script.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

let fake: FakeProvider
let config: RuntimeConfig
let runtime: RuntimeProcess
let client: OpenAI

beforeAll(async () => {
  fake = await startFakeOpenAi()
  config = agentConfig(await createTestDatabase('agent_respprov'), {
    model: { provider: 'openai', model: 'gpt-test' },
    secrets: { OPENAI_API_KEY: 'sk-openai-test', OPENAI_BASE_URL: `${fake.url}/v1` },
  })
  runtime = await spawnRuntime({ config })
  await waitUntilReady(runtime.baseUrl)
  client = new OpenAI({ apiKey: 'unused-behind-the-edge', baseURL: `${runtime.baseUrl}/v1`, maxRetries: 0, fetch: signedFetch({ secret: TEST_SECRET, slug: config.slug }) })
})
afterAll(async () => {
  await runtime?.stop()
  await fake?.close()
})

/** The system text the provider was sent in its last request, however the AI SDK placed it. */
function sentSystem(): string {
  const body = fake.requests.at(-1)!.body
  const items = (body.input ?? body.messages ?? []) as Array<{ role: string; content: unknown }>
  return [body.instructions ?? '', ...items.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))].join('\n')
}

const sentText = () => JSON.stringify(fake.requests.at(-1)!.body.input ?? fake.requests.at(-1)!.body.messages)

describe('what the model is sent', () => {
  it('puts the persona first, then the instructions and the client’s system items', async () => {
    fake.enqueue({ kind: 'reply', text: 'Ahoy.' })
    const response = await client.responses.create({
      model: 'gpt-whatever', instructions: 'Answer like a pirate.',
      input: [{ role: 'developer', content: 'Use short words.' }, { role: 'user', content: 'hello' }],
    })
    expect(response.output_text).toBe('Ahoy.')
    const system = sentSystem()
    const persona = system.indexOf('You are Ada, a patient friend.')
    expect(persona).toBeGreaterThanOrEqual(0)
    expect(system.indexOf('Answer like a pirate.')).toBeGreaterThan(persona)
    expect(system.indexOf('Use short words.')).toBeGreaterThan(system.indexOf('Answer like a pirate.'))
  })

  it('sends the stored chain before the new input, without the earlier instructions', async () => {
    fake.enqueue({ kind: 'reply', text: 'First reply.' }, { kind: 'reply', text: 'Second reply.' })
    const first = await client.responses.create({ model: 'm', instructions: 'Only for the first.', input: 'question one' })
    await client.responses.create({ model: 'm', input: 'question two', previous_response_id: first.id })
    const sent = sentText()
    expect(sent.indexOf('question one')).toBeGreaterThanOrEqual(0)
    expect(sent.indexOf('First reply.')).toBeGreaterThan(sent.indexOf('question one'))
    expect(sent.indexOf('question two')).toBeGreaterThan(sent.indexOf('First reply.'))
    expect(sentSystem()).not.toContain('Only for the first.')
  })
})

describe('a provider failure', () => {
  it('ends a stream with response.failed carrying the error, numbered like every event', async () => {
    // A 401 is not retried: one scripted failure is the whole story.
    fake.enqueue({ kind: 'status', status: 401, message: 'boom' })
    const stream = await client.responses.create({ model: 'm', input: 'fail please', stream: true })
    const events: OpenAI.Responses.ResponseStreamEvent[] = []
    for await (const event of stream) events.push(event)
    const last = events.at(-1)!
    expect(last.type).toBe('response.failed')
    if (last.type !== 'response.failed') return
    expect(last.response.status).toBe('failed')
    expect(last.response.error?.code).toBe('auth_error')
    expect(last.response.error?.message).not.toContain('boom')
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i))
  })

  it('answers a non-streamed request with a 502 OpenAI error', async () => {
    // A 401 is not retried: one scripted failure is the whole story.
    fake.enqueue({ kind: 'status', status: 401, message: 'boom' })
    const err = await client.responses.create({ model: 'm', input: 'fail again' }).catch((e: unknown) => e) as InstanceType<typeof OpenAI.APIError>
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.status).toBe(502)
    expect(err.error).toMatchObject({ type: 'server_error', code: 'auth_error' })
  })
})
