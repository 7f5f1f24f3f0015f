// The OpenAI-compatible route gets the same superfriend as /v1/chat: its persona and its long-term memory, shared with
// the other routes in both directions. It is stateless like OpenAI's own Chat Completions: the client owns the history.
// The model is the fake OpenAI server, so the test reads exactly what the model was sent.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { startFakeOpenAi } from '../fakes/openai-api.ts'
import type { FakeProvider } from '../fakes/provider-script.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { RUNTIME_PATHS } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_CONTROL_TOKEN, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

let fake: FakeProvider
let config: RuntimeConfig
let runtime: RuntimeProcess
let client: OpenAI
let edge: typeof fetch

type Sent = { role: string; content: string }
/** What the model received on its last call: the system prompt and the dialogue after it. */
function lastModelCall(): { system: string; dialogue: Sent[] } {
  const [system, ...dialogue] = fake.requests.at(-1)!.body.messages as Sent[]
  expect(system!.role).toBe('system')
  return { system: system!.content, dialogue }
}

async function chat(message: string): Promise<{ conversationId: string }> {
  const res = await edge(`${runtime.baseUrl}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) })
  expect(res.status).toBe(200)
  return res.json() as Promise<{ conversationId: string }>
}

async function memories(): Promise<string[]> {
  const res = await edge(`${runtime.baseUrl}/v1/memories`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { data: Array<{ content: string }> }).data.map((m) => m.content)
}

async function conversationCount(): Promise<number> {
  const res = await edge(`${runtime.baseUrl}/v1/conversations?limit=100`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { data: unknown[] }).data.length
}

beforeAll(async () => {
  fake = await startFakeOpenAi()
  config = agentConfig(await createTestDatabase('agent_oai_persona'), {
    name: 'Ada',
    persona: { systemPrompt: 'You are Ada, a patient maths tutor.', style: 'warm and brief' },
    model: { provider: 'openai', model: 'gpt-test' },
    secrets: { OPENAI_API_KEY: 'sk-openai-test', OPENAI_BASE_URL: `${fake.url}/v1` },
  })
  runtime = await spawnRuntime({ config })
  await waitUntilReady(runtime.baseUrl)
  edge = signedFetch({ secret: TEST_SECRET, slug: config.slug })
  client = new OpenAI({ apiKey: 'unused-behind-the-edge', baseURL: `${runtime.baseUrl}/v1`, fetch: edge, maxRetries: 0 })
})
afterAll(async () => {
  await runtime?.stop()
  await fake?.close()
})

describe('the OpenAI-compatible route', () => {
  it("sends the model the persona and the agent's memories, then the client's own system message", async () => {
    await chat('Remember that my cat is called Miso')
    await client.chat.completions.create({
      model: config.slug,
      messages: [{ role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'What is my cat called?' }],
    })
    const { system, dialogue } = lastModelCall()
    expect(system).toContain('Your name is Ada.')
    expect(system).toContain('You are Ada, a patient maths tutor.')
    expect(system).toContain('Style: warm and brief')
    expect(system).toContain('- my cat is called Miso')
    // The platform's persona comes first; the client adds to it and cannot replace it.
    expect(system.indexOf('Answer in French.')).toBeGreaterThan(system.indexOf('my cat is called Miso'))
    expect(dialogue).toEqual([{ role: 'user', content: 'What is my cat called?' }])
  })

  it('keeps a fact asked for through it, recalled in a later /v1/chat conversation', async () => {
    const stream = await client.chat.completions.create({
      model: config.slug, stream: true, messages: [{ role: 'user', content: 'Please remember that I am allergic to peanuts.' }],
    })
    for await (const chunk of stream) void chunk
    expect(await memories()).toContain('I am allergic to peanuts')

    await chat('Any snack ideas?')
    expect(lastModelCall().system).toContain('- I am allergic to peanuts')
  })

  it('does not store a fact again when the client re-sends the history that asked for it', async () => {
    const before = await memories()
    await client.chat.completions.create({
      model: config.slug,
      messages: [
        { role: 'user', content: 'Please remember that I am allergic to peanuts.' },
        { role: 'assistant', content: 'Noted.' },
        { role: 'user', content: 'Thanks!' },
      ],
    })
    expect(await memories()).toEqual(before)
    expect(lastModelCall().dialogue.map((m) => m.role)).toEqual(['user', 'assistant', 'user'])
  })

  it('applies a persona change from the next request', async () => {
    const res = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.config}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TEST_CONTROL_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...config, name: 'Grace', persona: { systemPrompt: 'You are Grace, a ship captain.', style: 'salty' } }),
    })
    expect(res.status).toBe(200)
    await client.chat.completions.create({ model: config.slug, messages: [{ role: 'user', content: 'Who are you?' }] })
    const { system } = lastModelCall()
    expect(system).toContain('Your name is Grace.')
    expect(system).toContain('You are Grace, a ship captain.')
    expect(system).not.toContain('maths tutor')
    expect(system).toContain('- my cat is called Miso') // memories belong to the agent, not to its persona
  })

  it('is stateless: its turns are not stored as conversations (the client sends the whole history each time)', async () => {
    const before = await conversationCount()
    const completion = await client.chat.completions.create({ model: config.slug, messages: [{ role: 'user', content: 'Just between us.' }] })
    expect(completion.choices[0]!.message.content).toBe('Fake GPT heard: Just between us.')
    expect(await conversationCount()).toBe(before)
  })
})
