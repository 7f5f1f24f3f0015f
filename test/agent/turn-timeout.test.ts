// The time bound of a whole turn (MYINTELL_TURN_TIMEOUT_MS): a model that keeps streaming, each chunk well within the
// provider timeout, is still cut off when the turn runs too long; the user gets a timeout error with the partial reply,
// which is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { startFakeOpenAi } from '../fakes/openai-api.ts'
import type { FakeProvider } from '../fakes/provider-script.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'
import { readSse } from './support/sse.ts'

let fake: FakeProvider
let config: RuntimeConfig
let runtime: RuntimeProcess

beforeAll(async () => {
  fake = await startFakeOpenAi()
  config = agentConfig(await createTestDatabase('agent_turn_timeout'), {
    model: { provider: 'openai', model: 'gpt-test' }, tools: ['clock'],
    secrets: { OPENAI_API_KEY: 'sk-openai-test', OPENAI_BASE_URL: `${fake.url}/v1` },
  })
  runtime = await spawnRuntime({ config, env: { MYINTELL_TURN_TIMEOUT_MS: '1500', MYINTELL_PROVIDER_TIMEOUT_MS: '5000' } })
  await waitUntilReady(runtime.baseUrl)
})
afterAll(async () => {
  await runtime?.stop()
  await fake?.close()
})

describe('the turn time bound', () => {
  it('ends a turn that runs past MYINTELL_TURN_TIMEOUT_MS with a timeout error, keeping and storing the partial reply', async () => {
    // 40 words, 100 ms apart: 4 s in all, no gap near the 5 s provider timeout, far past the 1.5 s turn bound.
    fake.enqueue({ kind: 'reply', text: Array.from({ length: 40 }, (_, i) => `word${i}`).join(' '), chunkDelayMs: 100 })
    const call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
    const frames = await readSse(await call(`${runtime.baseUrl}/v1/chat`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ message: 'Talk slowly' }),
    }))
    const partial = frames.filter((f) => f.event === 'delta').map((f) => f.data.text).join('')
    const last = frames.at(-1)!
    expect(last).toMatchObject({ event: 'error', data: { code: 'timeout', partial } })
    expect(partial.length).toBeGreaterThan(0)
    expect(partial).not.toContain('word39')
    const stored = await (await call(`${runtime.baseUrl}/v1/conversations/${last.data.conversationId}/messages`)).json()
    expect(stored.data.at(-1)).toMatchObject({ role: 'assistant', content: partial, status: 'error', error: 'timeout' })
  })
})
