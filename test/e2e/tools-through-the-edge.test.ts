// Tools end to end, against the real stack as `npm start` starts it (embedded PostgreSQL, cluster-api with the local
// driver, the edge Worker in workerd): the official `openai` client sends `tools` to http://<slug>.localhost:<edge>/v1
// and gets `tool_calls` back; an agent created with the clock tool streams its tool steps through the edge.
// The agents run the offline local model, which calls a tool when a message says `call <tool> <json>` or `use <tool>`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlatform, type Platform } from '../../scripts/platform.ts'
import { readSse } from '../../cli/src/chat/sse-reader.ts'
import { localFetch } from './support/localhost-fetch.ts'

let platform: Platform
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'myintell-e2e-tools-'))
  platform = await startPlatform({
    dataDir, edgePort: 0, apiPort: 0, ingressPort: 0,
    env: { ...process.env, MYINTELL_WARM_POOL_SIZE: '1', LOG_LEVEL: 'warn', MYINTELL_ACCESS_LOG: 'off' },
  })
}, 180_000)

afterAll(async () => {
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

describe('tools through the edge', () => {
  it('gives the official openai client tool_calls for the tools it sends', async () => {
    const client = new OpenAI({ baseURL: `${platform.agentUrl('demo')}/v1`, apiKey: platform.seed.apiKey, fetch: localFetch, maxRetries: 0 })
    const completion = await client.chat.completions.create({
      model: 'demo',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      messages: [{ role: 'user', content: 'call get_weather {"city":"Paris"}' }],
    })
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls')
    const call = completion.choices[0]!.message.tool_calls![0]!
    expect(call.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(['get_weather', { city: 'Paris' }])
  }, 60_000)

  it('streams the tool steps of an agent created with the clock tool, and stores them', async () => {
    const slug = `clocky-${Date.now().toString(36)}`
    const created = await localFetch(`${platform.apiUrl}/v1/agents`, {
      method: 'POST', headers: { authorization: `Bearer ${platform.seed.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug, name: 'Clocky', persona: { systemPrompt: '', style: '' }, model: { provider: 'local', model: 'local-dev' }, tools: ['clock'] }),
    })
    expect(created.status).toBe(201)
    const response = await localFetch(`${platform.agentUrl(slug)}/v1/chat`, {
      method: 'POST', headers: { authorization: `Bearer ${platform.seed.apiKey}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'use clock' }),
    })
    expect(response.status).toBe(200)
    const events = []
    for await (const event of readSse(response.body as unknown as AsyncIterable<Buffer>)) events.push(event)
    const kinds = events.map((e) => e.event).filter((k) => k !== 'delta')
    expect(kinds).toEqual(['start', 'tool-call', 'tool-result', 'done'])
    const result = JSON.parse(events.find((e) => e.event === 'tool-result')!.data) as { name: string; isError: boolean; result: { timezone: string } }
    expect(result).toMatchObject({ name: 'clock', isError: false, result: { timezone: 'UTC' } })

    const { conversationId } = JSON.parse(events[0]!.data) as { conversationId: string }
    const stored = await (await localFetch(`${platform.agentUrl(slug)}/v1/conversations/${conversationId}/messages`, {
      headers: { authorization: `Bearer ${platform.seed.apiKey}` },
    })).json() as { data: Array<{ role: string }> }
    expect(stored.data.map((m) => m.role)).toEqual(['user', 'tool-call', 'tool-result', 'assistant'])
  }, 90_000)
})
