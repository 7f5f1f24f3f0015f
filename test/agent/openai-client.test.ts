// The official `openai` npm client, pointed at a running runtime (through an edge-signing fetch), gets completions.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

let config: RuntimeConfig
let runtime: RuntimeProcess
let client: OpenAI

beforeAll(async () => {
  config = agentConfig(await createTestDatabase('agent_oai'))
  runtime = await spawnRuntime({ config })
  await waitUntilReady(runtime.baseUrl)
  client = new OpenAI({ apiKey: 'unused-behind-the-edge', baseURL: `${runtime.baseUrl}/v1`, fetch: signedFetch({ secret: TEST_SECRET, slug: config.slug }), maxRetries: 0 })
})
afterAll(async () => { await runtime?.stop() })

describe('OpenAI-compatible API with the official client', () => {
  it('lists the superfriend as a model', async () => {
    const models = await client.models.list()
    expect(models.data.map((m) => m.id)).toEqual([config.slug])
  })

  it('streams a completion with the persona applied and usage at the end', async () => {
    const stream = await client.chat.completions.create({
      model: config.slug,
      messages: [{ role: 'user', content: 'Stream to me' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let chunks = 0
    let usage: OpenAI.CompletionUsage | null | undefined
    let finish: string | null = null
    for await (const chunk of stream) {
      chunks++
      text += chunk.choices[0]?.delta?.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toMatch(/^\[local dev model\] Ada here\. You said: "Stream to me"\./)
    expect(chunks).toBeGreaterThan(5)
    expect(finish).toBe('stop')
    expect(usage?.completion_tokens).toBeGreaterThan(0)
    expect(usage?.total_tokens).toBe(usage!.prompt_tokens + usage!.completion_tokens)
  })

  it('answers a non-streamed completion and applies memories asked for through it', async () => {
    await client.chat.completions.create({ model: config.slug, messages: [{ role: 'user', content: 'Remember that I live in Lisbon' }] })
    const completion = await client.chat.completions.create({
      model: config.slug,
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Where do I live?' }],
    })
    expect(completion.object).toBe('chat.completion')
    expect(completion.choices[0]!.message.content).toContain('I remember: I live in Lisbon')
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0)
  })

  it('surfaces invalid fields as a BadRequestError naming the parameter', async () => {
    const err = await client.chat.completions.create({ model: config.slug, messages: [{ role: 'user', content: 'x' }], temperature: 5 }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.param).toBe('temperature')
  })
})
