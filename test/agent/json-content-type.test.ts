// The runtime's JSON endpoints take JSON only: a body sent as text/plain or a form (what a page of another site
// can make a browser send without a preflight) gets 415 and stores nothing; application/json and +json types pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

let config: RuntimeConfig
let runtime: RuntimeProcess
let call: typeof fetch

const post = (path: string, body: string, contentType: string | null) =>
  call(`${runtime.baseUrl}${path}`, { method: 'POST', body, headers: contentType === null ? {} : { 'content-type': contentType } })

async function counts() {
  const conversations = (await (await call(`${runtime.baseUrl}/v1/conversations`)).json()).data
  const memories = (await (await call(`${runtime.baseUrl}/v1/memories`)).json()).data
  return { conversations: conversations.length, memories: memories.length }
}

beforeAll(async () => {
  config = agentConfig(await createTestDatabase('agent_content_type'))
  runtime = await spawnRuntime({ config })
  await waitUntilReady(runtime.baseUrl)
  call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
})
afterAll(async () => { await runtime?.stop() })

describe('JSON endpoints', () => {
  it('answer a text/plain body to /v1/chat with 415 problem+json and store nothing', async () => {
    const before = await counts()
    const res = await post('/v1/chat', JSON.stringify({ message: 'remember that my PIN is 1234' }), 'text/plain')
    expect(res.status).toBe(415)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 415, code: 'unsupported-media-type' })
    expect(await counts()).toEqual(before)
  })

  it('refuse form bodies and bodies without a type on every JSON route, OpenAI’s in its own error shape', async () => {
    const before = await counts()
    const chat = JSON.stringify({ message: 'hi' })
    for (const [path, body, type] of [
      ['/v1/chat', chat, 'application/x-www-form-urlencoded'],
      ['/v1/chat', chat, 'multipart/form-data; boundary=x'],
      ['/v1/chat', chat, null],
      ['/v1/chat', chat, 'text/json'],
      ['/v1/memories', JSON.stringify({ content: 'planted' }), 'text/plain;charset=UTF-8'],
    ] as const) {
      const res = await post(path, body, type)
      expect(res.status, `${path} ${type}`).toBe(415)
    }
    const openai = await post('/v1/chat/completions', JSON.stringify({ model: config.slug, messages: [{ role: 'user', content: 'hi' }] }), 'text/plain')
    expect(openai.status).toBe(415)
    expect(await openai.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'unsupported-media-type' } })
    expect(await counts()).toEqual(before)
  })

  it('take application/json with parameters and structured +json types', async () => {
    for (const type of ['application/json', 'Application/JSON; charset=utf-8', 'application/vnd.myintell+json']) {
      const res = await post('/v1/chat', JSON.stringify({ message: `hello as ${type}` }), type)
      expect(res.status, type).toBe(200)
    }
  })
})
