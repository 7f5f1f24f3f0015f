// A superfriend is an MCP server at <slug>.<base>/mcp, end to end: the official MCP SDK client, through the real edge
// in workerd, the cluster-api with the local driver and a real runtime. It lists the tools, wakes a sleeping
// superfriend with `chat`, searches memory and lists conversations for its own caller only; the edge refuses a
// missing key (401), a key without the chat scope (403) and another tenant's key (403), and a cross-site browser POST.
// The agents run the offline `local` model, whose reply lists every memory its prompt recalled.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlatform, type Platform } from '../../scripts/platform.ts'
import { localFetch } from './support/localhost-fetch.ts'

/** Short, so a superfriend falls asleep within the test (the default is 5 minutes). */
const IDLE_TIMEOUT_MS = 3_000
const LOCAL_REPLY = '[local dev model]'

let platform: Platform
let dataDir: string
const stamp = Date.now().toString(36)
/** Private, the seed tenant's. */
const slug = `mcp-${stamp}`
/** Public, the seed tenant's: anonymous MCP callers are guests. */
const publicSlug = `mcp-pub-${stamp}`
let agentId: string
/** The seed tenant's key without the chat scope, and another tenant's key with it. */
let noChatKey: string
let strangerKey: string

interface Driver { pids(): { agents: Record<string, number[]> } }
const runtimePids = (id: string) => (platform.clusterApi.driver as unknown as Driver).pids().agents[id] ?? []

function api(path: string, init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.key) headers.authorization = `Bearer ${init.key}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  return localFetch(`${platform.apiUrl}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? null : JSON.stringify(init.body) })
}

async function createAgent(s: string, visibility: 'private' | 'public'): Promise<string> {
  const response = await api('/v1/agents', {
    method: 'POST', key: platform.seed.apiKey,
    body: { slug: s, name: `Agent ${s}`, visibility, model: { provider: 'local', model: 'local-dev' } },
  })
  expect(response.status, await response.clone().text()).toBe(201)
  return ((await response.json()) as { id: string }).id
}

/** An MCP host connected to a superfriend: the SDK's own client, with the key as a Bearer header (or none). */
async function connect(agentSlug: string, key: string | null): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${platform.agentUrl(agentSlug)}/mcp`), {
    fetch: localFetch,
    requestInit: key ? { headers: { authorization: `Bearer ${key}` } } : {},
  })
  const client = new Client({ name: 'myintell-test-host', version: '1.0.0' })
  await client.connect(transport)
  return client
}

/** What connecting answers when the edge refuses: the HTTP status the SDK's transport reports. */
async function refusal(agentSlug: string, key: string | null): Promise<number> {
  try {
    const client = await connect(agentSlug, key)
    await client.close()
    return 200
  } catch (err) {
    if (err instanceof StreamableHTTPError) return err.code ?? -1
    throw err
  }
}

const text = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('')
const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'myintell-e2e-mcp-'))
  platform = await startPlatform({
    dataDir, edgePort: 0, apiPort: 0, ingressPort: 0,
    env: { ...process.env, MYINTELL_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS), MYINTELL_WARM_POOL_SIZE: '1', LOG_LEVEL: 'warn', MYINTELL_ACCESS_LOG: 'off' },
  })
  agentId = await createAgent(slug, 'private')
  await createAgent(publicSlug, 'public')

  const noChat = await api('/v1/api-keys', { method: 'POST', key: platform.seed.apiKey, body: { name: 'ops', scopes: ['agents:read', 'usage:read'] } })
  expect(noChat.status, await noChat.clone().text()).toBe(201)
  noChatKey = ((await noChat.json()) as { key: string }).key

  const signIn = await api('/v1/dev/sign-in', { method: 'POST', body: { email: 'mcp-stranger@example.com' } })
  const { token } = (await signIn.json()) as { token: string }
  const tenant = await api('/v1/tenants', { method: 'POST', key: token, body: { slug: `mcp-stranger-${stamp}`, name: 'Stranger' } })
  const { id } = (await tenant.json()) as { id: string }
  const key = await api('/v1/api-keys', { method: 'POST', key: token, headers: { 'x-myintell-tenant': id }, body: { name: 'stranger' } })
  strangerKey = ((await key.json()) as { key: string }).key
}, 180_000)

afterAll(async () => {
  await platform?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

describe('an MCP host with the tenant’s key', () => {
  let client: Client
  let conversationId: string

  afterAll(async () => {
    await client?.close()
  })

  it('lists chat, search_memory and list_conversations, with their input schemas', async () => {
    expect(runtimePids(agentId)).toEqual([]) // created asleep: nothing runs for it yet
    client = await connect(slug, platform.seed.apiKey)
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(['chat', 'list_conversations', 'search_memory'])
    const chat = tools.find((t) => t.name === 'chat')!
    expect(chat.inputSchema.required).toEqual(['message'])
    expect(Object.keys(chat.inputSchema.properties ?? {}).sort()).toEqual(['conversationId', 'message'])
  }, 90_000)

  it('calls chat and gets the reply, the conversation id in its structured content, and a memory kept', async () => {
    const result = await call(client, 'chat', { message: 'remember that my favourite colour is teal' })
    expect(result.isError).toBeFalsy()
    expect(text(result)).toContain(LOCAL_REPLY)
    const structured = result.structuredContent as { reply: string; conversationId: string; usage: { outputTokens: number } }
    expect(structured.reply).toBe(text(result))
    expect(structured.usage.outputTokens).toBeGreaterThan(0)
    conversationId = structured.conversationId
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/)

    // The same conversation continues: it is the one conversation of the agent, now two turns long.
    const again = await call(client, 'chat', { message: 'and what is my colour?', conversationId })
    expect((again.structuredContent as { conversationId: string }).conversationId).toBe(conversationId)
    const messages = await localFetch(`${platform.agentUrl(slug)}/v1/conversations/${conversationId}/messages`, { headers: { authorization: `Bearer ${platform.seed.apiKey}` } })
    expect(((await messages.json()) as { data: unknown[] }).data).toHaveLength(4)
  }, 60_000)

  it('finds the memory with search_memory, and nothing for words it does not hold', async () => {
    const found = await call(client, 'search_memory', { query: 'TEAL colour' })
    expect(found.isError).toBeFalsy()
    const memories = (found.structuredContent as { memories: Array<{ content: string }> }).memories
    expect(memories.map((m) => m.content)).toEqual([expect.stringContaining('teal')])
    expect(text(found)).toContain('teal')
    const none = await call(client, 'search_memory', { query: 'purple' })
    expect((none.structuredContent as { memories: unknown[] }).memories).toEqual([])
  })

  it('lists the conversation with list_conversations, a page at a time', async () => {
    await call(client, 'chat', { message: 'a second conversation' })
    const first = await call(client, 'list_conversations', { limit: 1 })
    const page1 = first.structuredContent as { conversations: Array<{ id: string }>; nextCursor: string | null }
    expect(page1.conversations).toHaveLength(1)
    expect(page1.nextCursor).not.toBeNull()
    const second = await call(client, 'list_conversations', { limit: 1, cursor: page1.nextCursor })
    const page2 = second.structuredContent as { conversations: Array<{ id: string }>; nextCursor: string | null }
    expect(page2.conversations.map((c) => c.id)).toEqual([conversationId])
    expect(page2.nextCursor).toBeNull()
  })

  it('answers bad arguments with a tool error and stores nothing', async () => {
    const before = await call(client, 'list_conversations', { limit: 100 })
    const count = (before.structuredContent as { conversations: unknown[] }).conversations.length
    for (const [name, args] of [
      ['chat', { message: 42 }],
      ['chat', {}],
      ['chat', { message: '   ' }],
      ['chat', { message: 'hello', conversationId: 'not-a-conversation' }],
      ['search_memory', { query: '' }],
      ['search_memory', { query: 'teal', limit: 0 }],
      ['list_conversations', { limit: 'many' }],
      ['list_conversations', { cursor: 'not-a-cursor' }],
      ['no_such_tool', {}],
    ] as const) {
      const result = await call(client, name, args)
      expect(result.isError, `${name} ${JSON.stringify(args)}`).toBe(true)
      expect(text(result)).not.toBe('')
    }
    const after = await call(client, 'list_conversations', { limit: 100 })
    expect((after.structuredContent as { conversations: unknown[] }).conversations).toHaveLength(count)
  })

  it('wakes the superfriend again after it fell asleep, and chat answers', async () => {
    const deadline = Date.now() + IDLE_TIMEOUT_MS * 20
    while (runtimePids(agentId).length > 0) {
      if (Date.now() > deadline) throw new Error('the superfriend did not idle out')
      await new Promise((r) => setTimeout(r, 200))
    }
    // A new session of the host: nothing of the old one is needed, the server keeps no session.
    await client.close()
    client = await connect(slug, platform.seed.apiKey)
    const result = await call(client, 'chat', { message: 'are you awake?', conversationId })
    expect(result.isError).toBeFalsy()
    expect(text(result)).toContain(LOCAL_REPLY)
    expect(runtimePids(agentId).length).toBeGreaterThan(0)
  }, 90_000)
})

describe('the edge in front of /mcp', () => {
  it('refuses a host without a key with 401', async () => {
    expect(await refusal(slug, null)).toBe(401)
  })

  it('refuses the tenant’s key without the chat scope with 403', async () => {
    expect(await refusal(slug, noChatKey)).toBe(403)
  })

  it('refuses another tenant’s key on a private superfriend with 403', async () => {
    expect(await refusal(slug, strangerKey)).toBe(403)
  })

  it('answers GET and DELETE on /mcp with 405 and a JSON-RPC error', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await localFetch(`${platform.agentUrl(slug)}/mcp`, {
        method, headers: { authorization: `Bearer ${platform.seed.apiKey}`, accept: 'text/event-stream' },
      })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('POST')
      const body = (await response.json()) as { jsonrpc: string; error: { code: number } }
      expect(body.jsonrpc).toBe('2.0')
      expect(body.error.code).toBeLessThan(0)
    }
  })

  it('answers a body that is not JSON-RPC with a JSON-RPC error, not a crash', async () => {
    const response = await localFetch(`${platform.agentUrl(slug)}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.seed.apiKey}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
      body: '{ not json',
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { jsonrpc: string; error: { code: number } }
    expect(body).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } })
  })

  it('refuses a cross-site browser POST to /mcp that carries the session cookie, and serves the agent’s own page', async () => {
    // A browser on a public agent's page holds its anonymous-session cookie; another site's page cannot use it.
    const first = await localFetch(`${platform.agentUrl(publicSlug)}/v1/conversations`)
    const cookie = first.headers.getSetCookie().find((c) => c.startsWith('mi_anon='))!.split(';')[0]!
    const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'page', version: '1' } } })
    const post = (origin: string) => localFetch(`${platform.agentUrl(publicSlug)}/mcp`, {
      method: 'POST',
      headers: { cookie, origin, accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
      body: initialize,
    })
    const evil = await post('https://evil.example')
    expect(evil.status).toBe(403)
    expect(evil.headers.get('content-type')).toContain('application/problem+json')
    const own = await post(platform.agentUrl(publicSlug))
    expect(own.status).toBe(200)
    expect(((await own.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name).toBe(`myintell-${publicSlug}`)
  })
})

describe('anonymous MCP callers of a public superfriend', () => {
  it('may chat, and see none of the tenant’s conversations', async () => {
    const owner = await connect(publicSlug, platform.seed.apiKey)
    const ownerTurn = await call(owner, 'chat', { message: 'remember that the launch code is mango' })
    const ownerConversation = (ownerTurn.structuredContent as { conversationId: string }).conversationId
    expect((await call(owner, 'search_memory', { query: 'mango' })).structuredContent).toMatchObject({ memories: [expect.anything()] })

    // A host with no key: a guest, scoped by an anonymous session of its own (no cookie jar: a new one each request).
    const anonymous = await connect(publicSlug, null)
    const turn = await call(anonymous, 'chat', { message: 'hello from nobody' })
    expect(turn.isError).toBeFalsy()
    expect(text(turn)).toContain(LOCAL_REPLY)
    const listed = (await call(anonymous, 'list_conversations', {})).structuredContent as { conversations: Array<{ id: string }> }
    expect(listed.conversations.map((c) => c.id)).not.toContain(ownerConversation)
    const intrude = await call(anonymous, 'chat', { message: 'let me in', conversationId: ownerConversation })
    expect(intrude.isError).toBe(true)
    expect(text(intrude)).toContain('conversation-not-found')

    // Another tenant's key on the public agent is a guest too: it sees nothing of the tenant's.
    const stranger = await connect(publicSlug, strangerKey)
    const theirs = (await call(stranger, 'list_conversations', {})).structuredContent as { conversations: Array<{ id: string }> }
    expect(theirs.conversations.map((c) => c.id)).not.toContain(ownerConversation)
    await Promise.all([owner.close(), anonymous.close(), stranger.close()])
  }, 60_000)

  it('find their own memories and the agent-wide ones, never another guest’s', async () => {
    // A guest the edge recognises again (a key of another tenant): what it asks to be kept is its own.
    const stranger = await connect(publicSlug, strangerKey)
    await call(stranger, 'chat', { message: 'remember that my locker number is 4242' })
    const own = (await call(stranger, 'search_memory', { query: '4242' })).structuredContent as { memories: Array<{ content: string }> }
    expect(own.memories.map((m) => m.content)).toEqual([expect.stringContaining('4242')])

    // Another guest never finds it, and neither does the tenant's key through MCP (it reads it at GET /v1/memories).
    const anonymous = await connect(publicSlug, null)
    expect((await call(anonymous, 'search_memory', { query: '4242 locker' })).structuredContent).toEqual({ memories: [] })
    const owner = await connect(publicSlug, platform.seed.apiKey)
    expect((await call(owner, 'search_memory', { query: '4242 locker' })).structuredContent).toEqual({ memories: [] })
    // What the tenant keeps agent-wide, every caller's turn recalls: a guest finds it too.
    const shared = (await call(stranger, 'search_memory', { query: 'mango' })).structuredContent as { memories: Array<{ content: string }> }
    expect(shared.memories.map((m) => m.content)).toEqual([expect.stringContaining('mango')])
    await Promise.all([owner.close(), anonymous.close(), stranger.close()])
  }, 60_000)
})
