// A conversation longer than the model's window: the oldest whole turns are left out (and said so in the system
// prompt), the rest reach the model intact, and the stored conversation keeps everything.
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

beforeAll(async () => {
  fake = await startFakeOpenAi()
  config = agentConfig(await createTestDatabase('agent_ctx'), {
    model: { provider: 'openai', model: 'small-window', maxOutputTokens: 100 },
    secrets: { OPENAI_API_KEY: 'sk-openai-test', OPENAI_BASE_URL: `${fake.url}/v1` },
  })
  runtime = await spawnRuntime({ config, env: { MYINTELL_CONTEXT_WINDOW_TOKENS: '600' } })
  await waitUntilReady(runtime.baseUrl)
})
afterAll(async () => {
  await runtime?.stop()
  await fake?.close()
})

describe('context window', () => {
  it('drops the oldest whole turns to fit, never cutting a message, and keeps the full conversation stored', async () => {
    const call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
    const sent: string[] = []
    let conversationId: string | undefined
    for (let i = 1; i <= 8; i++) {
      const message = `Message number ${i}: ${'lorem ipsum dolor sit amet '.repeat(8)}`
      sent.push(message)
      const res = await call(`${runtime.baseUrl}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message, conversationId }) })
      expect(res.status).toBe(200)
      conversationId = (await res.json()).conversationId
    }
    const last = fake.requests.at(-1)!.body
    const [system, ...dialogue] = last.messages as Array<{ role: string; content: string }>
    expect(system!.content).toMatch(/Earlier in this conversation \d+ turn\(s\) were left out/)
    expect(dialogue[0]!.role).toBe('user')
    expect(dialogue.at(-1)).toEqual({ role: 'user', content: sent.at(-1) })
    const userTurns = dialogue.filter((m) => m.role === 'user').map((m) => m.content)
    expect(userTurns.length).toBeLessThan(sent.length)
    expect(userTurns).toEqual(sent.slice(sent.length - userTurns.length)) // intact and in order
    const stored = await (await call(`${runtime.baseUrl}/v1/conversations/${conversationId}/messages?limit=100`)).json()
    expect(stored.data.filter((m: any) => m.role === 'user').map((m: any) => m.content)).toEqual(sent)
  })
})
