// The runtime's MCP server on its own (a real runtime process, a real tenant database, the MCP SDK's client over a
// fetch that signs like the edge): only signed requests reach it, each tool acts for the signed caller (a guest of a
// public agent sees only its own conversations), a body that is not JSON is refused before any tool runs, and a
// failed model call is a tool error with what was said kept.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { createTestDatabase } from '../support/db.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady, type RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch, type EdgeIdentity } from './support/signed-fetch.ts'

let config: RuntimeConfig
let runtime: RuntimeProcess
/** An agent whose model provider cannot be reached. */
let brokenConfig: RuntimeConfig
let broken: RuntimeProcess
const clients: Client[] = []

async function connect(r: RuntimeProcess, c: RuntimeConfig, who: Partial<EdgeIdentity> = {}): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${r.baseUrl}/mcp`), {
    fetch: signedFetch({ secret: TEST_SECRET, slug: c.slug, ...who }),
  })
  const client = new Client({ name: 'runtime-test-host', version: '1.0.0' })
  await client.connect(transport)
  clients.push(client)
  return client
}

const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult
const text = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('')
const conversationIds = async (client: Client) =>
  ((await call(client, 'list_conversations', { limit: 200 })).structuredContent as { conversations: Array<{ id: string }> }).conversations.map((c) => c.id)

beforeAll(async () => {
  config = agentConfig(await createTestDatabase('agent_mcp'), { visibility: 'public' })
  brokenConfig = agentConfig(await createTestDatabase('agent_mcp_broken'), {
    model: { provider: 'anthropic', model: 'claude-test' },
    // Port 9 (discard) refuses connections here: the call fails at once.
    secrets: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
  })
  ;[runtime, broken] = await Promise.all([
    spawnRuntime({ config, env: { LOG_LEVEL: 'warn' } }),
    spawnRuntime({ config: brokenConfig, env: { LOG_LEVEL: 'warn', MYINTELL_PROVIDER_TIMEOUT_MS: '2000' } }),
  ])
  await Promise.all([waitUntilReady(runtime.baseUrl), waitUntilReady(broken.baseUrl)])
}, 60_000)

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await Promise.all([runtime?.stop(), broken?.stop()])
})

describe('the runtime’s /mcp', () => {
  it('refuses a request the edge did not sign with 401 problem+json', async () => {
    const response = await fetch(`${runtime.baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
  })

  it('refuses a body that is not JSON (what a cross-site form can send) with 415 before any tool runs', async () => {
    const member = await connect(runtime, config)
    const before = await conversationIds(member)
    const response = await signedFetch({ secret: TEST_SECRET, slug: config.slug })(`${runtime.baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'chat', arguments: { message: 'forged' } } }),
    })
    expect(response.status).toBe(415)
    expect(((await response.json()) as { jsonrpc: string }).jsonrpc).toBe('2.0')
    expect(await conversationIds(member)).toEqual(before)
  })

  it('lets each guest of a public agent see only the conversations it started; a member sees all', async () => {
    const alice = await connect(runtime, config, { principal: 'anon:alice', principalAccess: 'guest' })
    const bob = await connect(runtime, config, { principal: 'anon:bob', principalAccess: 'guest' })
    const member = await connect(runtime, config)
    const hers = (await call(alice, 'chat', { message: 'my diary' })).structuredContent as { conversationId: string }
    const his = (await call(bob, 'chat', { message: 'my list' })).structuredContent as { conversationId: string }

    expect(await conversationIds(alice)).toEqual([hers.conversationId])
    expect(await conversationIds(bob)).toEqual([his.conversationId])
    expect(await conversationIds(member)).toEqual(expect.arrayContaining([hers.conversationId, his.conversationId]))
    const intrude = await call(bob, 'chat', { message: 'let me in', conversationId: hers.conversationId })
    expect(intrude.isError).toBe(true)
    expect(text(intrude)).toMatch(/^conversation-not-found: /)

    // A guest's own memory is found by it alone.
    await call(alice, 'chat', { message: 'remember that my cat is called Pixel' })
    const found = (await call(alice, 'search_memory', { query: 'Pixel' })).structuredContent as { memories: Array<{ content: string }> }
    expect(found.memories.map((m) => m.content)).toEqual([expect.stringContaining('Pixel')])
    expect((await call(bob, 'search_memory', { query: 'Pixel' })).structuredContent).toEqual({ memories: [] })
  })

  it('turns a message over the limit into a tool error', async () => {
    const member = await connect(runtime, config)
    const result = await call(member, 'chat', { message: 'x'.repeat(40_000) })
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/^message-too-long: /)
  })
})

describe('a failed model call', () => {
  it('is a tool error naming the conversation, and what was said is stored', async () => {
    const member = await connect(broken, brokenConfig)
    const result = await call(member, 'chat', { message: 'are you there?' })
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/^model-[a-z-]+: The model failed to reply/)
    const [conversationId] = await conversationIds(member)
    expect(conversationId).toBeDefined()
    expect(text(result)).toContain(conversationId)
    expect(broken.stderr()).not.toContain('sk-ant-test')
  }, 30_000)
})
