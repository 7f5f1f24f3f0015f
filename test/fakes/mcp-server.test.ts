// The fake MCP server driven by the official SDK's client: Streamable HTTP, the required header, the fallback to the
// older HTTP+SSE transport, tool errors, client timeouts, and a server that goes down and comes back on its port.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { defaultMcpTools, startFakeMcpServer } from './mcp-server.ts'
import type { FakeMcpServer } from './mcp-server.ts'

const clients: Client[] = []
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {}))) })

async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'myintell-test', version: '0.0.0' })
  clients.push(client)
  await client.connect(transport)
  return client
}

const streamable = (url: string, headers?: Record<string, string>) =>
  new StreamableHTTPClientTransport(new URL(url), headers ? { requestInit: { headers } } : undefined)

/** What the runtime will do: Streamable HTTP first, the older SSE transport when the server refuses it. */
async function connectWithFallback(url: string, headers?: Record<string, string>): Promise<{ client: Client; transport: 'streamable-http' | 'sse' }> {
  try {
    return { client: await connect(streamable(url, headers)), transport: 'streamable-http' }
  } catch {
    return { client: await connect(new SSEClientTransport(new URL(url), headers ? { requestInit: { headers } } : undefined)), transport: 'sse' }
  }
}

describe('the fake MCP server over Streamable HTTP', () => {
  let mcp: FakeMcpServer
  beforeAll(async () => { mcp = await startFakeMcpServer() })
  afterAll(async () => { await mcp.close() })

  it('lists its tools with their JSON input schemas', async () => {
    const client = await connect(streamable(mcp.url))
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'echo', 'fail', 'slow'])
    const add = tools.find((t) => t.name === 'add')!
    expect(add.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] })
    expect(client.getServerVersion()?.name).toBe('fake-mcp')
  })

  it('runs a tool call and records it with its arguments', async () => {
    const client = await connect(streamable(mcp.url))
    const before = mcp.calls.length
    const result = await client.callTool({ name: 'add', arguments: { a: 19, b: 23 } })
    expect(result.content).toEqual([{ type: 'text', text: '42' }])
    expect(result.structuredContent).toEqual({ sum: 42 })
    expect(mcp.calls.slice(before)).toMatchObject([{ tool: 'add', args: { a: 19, b: 23 }, transport: 'streamable-http' }])
    expect(mcp.requests.some((r) => r.rpc.includes('tools/call'))).toBe(true)
  })

  it('answers a failing tool with an MCP tool error the model can read, not a protocol error', async () => {
    const client = await connect(streamable(mcp.url))
    const result = await client.callTool({ name: 'fail', arguments: { reason: 'disk full' } })
    expect(result.isError).toBe(true)
    expect(result.content).toEqual([{ type: 'text', text: 'fail: disk full' }])
  })

  it('answers arguments that break the schema with a tool error naming the field', async () => {
    const client = await connect(streamable(mcp.url))
    const result = await client.callTool({ name: 'add', arguments: { a: 'one', b: 2 } })
    expect(result.isError).toBe(true)
    expect(JSON.stringify(result.content)).toMatch(/\ba\b/)
  })

  it('lets a client give up on a slow tool with a request timeout, and stops the tool when the client closes', async () => {
    const client = await connect(streamable(mcp.url))
    const before = mcp.calls.length
    const error = await client.callTool({ name: 'slow', arguments: { ms: 10_000 } }, undefined, { timeout: 100 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(McpError)
    expect((error as McpError).code).toBe(ErrorCode.RequestTimeout)
    const [call] = mcp.calls.slice(before)
    expect(call).toMatchObject({ tool: 'slow', args: { ms: 10_000 } })
    await client.close()
    await vi.waitFor(() => expect(call?.aborted).toBe(true))
  })

  it('serves tools replaced while it runs from the next request on', async () => {
    mcp.setTools([...defaultMcpTools, { name: 'today', inputSchema: {}, run: () => ({ content: [{ type: 'text', text: '2026-01-01' }] }) }])
    try {
      const client = await connect(streamable(mcp.url))
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('today')
    } finally {
      mcp.setTools(defaultMcpTools)
    }
  })

  it('answers GET on the Streamable HTTP endpoint with 405, as a stateless server does', async () => {
    const res = await fetch(mcp.url, { headers: { accept: 'text/event-stream' } })
    expect(res.status).toBe(405)
  })
})

describe('the fake MCP server with a required header', () => {
  let mcp: FakeMcpServer
  beforeAll(async () => { mcp = await startFakeMcpServer({ requireHeader: { name: 'Authorization', value: 'Bearer sekrit' } }) })
  afterAll(async () => { await mcp.close() })

  it('refuses a client without the header with 401', async () => {
    const before = mcp.requests.length
    await expect(connect(streamable(mcp.url))).rejects.toThrow()
    expect(mcp.requests.slice(before).map((r) => r.status)).toEqual([401])
    expect(mcp.calls).toHaveLength(0)
  })

  it('refuses a wrong value the same way', async () => {
    await expect(connect(streamable(mcp.url, { authorization: 'Bearer guess' }))).rejects.toThrow()
    expect(mcp.requests.at(-1)?.status).toBe(401)
  })

  it('serves a client that sends it, on every request', async () => {
    const client = await connect(streamable(mcp.url, { authorization: 'Bearer sekrit' }))
    await client.callTool({ name: 'echo', arguments: { text: 'hello' } })
    expect(mcp.calls.at(-1)).toMatchObject({ tool: 'echo', args: { text: 'hello' }, headers: { authorization: 'Bearer sekrit' } })
  })

  it('requires it on the SSE transport too', async () => {
    await expect(connect(new SSEClientTransport(new URL(mcp.sseUrl)))).rejects.toThrow()
    const client = await connect(new SSEClientTransport(new URL(mcp.sseUrl), { requestInit: { headers: { authorization: 'Bearer sekrit' } } }))
    const result = await client.callTool({ name: 'echo', arguments: { text: 'over sse' } })
    expect(result.content).toEqual([{ type: 'text', text: 'over sse' }])
  })
})

describe('the older HTTP+SSE transport', () => {
  let mcp: FakeMcpServer
  beforeAll(async () => {
    mcp = await startFakeMcpServer({
      tools: [{ name: 'shout', inputSchema: { text: z.string() }, run: ({ text }) => ({ content: [{ type: 'text', text: String(text).toUpperCase() }] }) }],
    })
  })
  afterAll(async () => { await mcp.close() })

  it('refuses Streamable HTTP on the SSE endpoint, so a client falls back to SSE and works', async () => {
    const { client, transport } = await connectWithFallback(mcp.sseUrl)
    expect(transport).toBe('sse')
    expect(mcp.requests.find((r) => r.path === '/sse' && r.method === 'POST')?.status).toBe(405)
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['shout'])
    const result = await client.callTool({ name: 'shout', arguments: { text: 'quiet' } })
    expect(result.content).toEqual([{ type: 'text', text: 'QUIET' }])
    expect(mcp.calls.at(-1)).toMatchObject({ tool: 'shout', transport: 'sse' })
  })

  it('keeps Streamable HTTP on the endpoint that offers it', async () => {
    const { client, transport } = await connectWithFallback(mcp.url)
    expect(transport).toBe('streamable-http')
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['shout'])
  })
})

describe('a fake MCP server that goes down', () => {
  let mcp: FakeMcpServer
  beforeAll(async () => { mcp = await startFakeMcpServer() })
  afterAll(async () => { await mcp.close() })

  it('refuses connections while stopped and serves again on the same port after start', async () => {
    const client = await connect(streamable(mcp.url))
    expect((await client.callTool({ name: 'echo', arguments: { text: 'up' } })).content).toEqual([{ type: 'text', text: 'up' }])

    await mcp.stop()
    await expect(client.callTool({ name: 'echo', arguments: { text: 'down' } })).rejects.toThrow()
    await expect(connect(streamable(mcp.url))).rejects.toThrow()

    await mcp.start()
    expect(mcp.url).toBe(`http://127.0.0.1:${mcp.port}/mcp`)
    const again = await connect(streamable(mcp.url))
    expect((await again.callTool({ name: 'echo', arguments: { text: 'back' } })).content).toEqual([{ type: 'text', text: 'back' }])
  })

  it('can be replaced by a new server on the port the old one left, serving the new tools at the same URL', async () => {
    const old = await startFakeMcpServer()
    const { port, url } = old
    await old.close()
    const replacement = await startFakeMcpServer({ port, tools: [{ name: 'ping', inputSchema: {}, run: () => ({ content: [{ type: 'text', text: 'pong' }] }) }] })
    try {
      expect(replacement.url).toBe(url)
      const client = await connect(streamable(url))
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['ping'])
      expect(replacement.calls).toHaveLength(0)
      expect((await client.callTool({ name: 'ping', arguments: {} })).content).toEqual([{ type: 'text', text: 'pong' }])
      expect(replacement.calls).toMatchObject([{ tool: 'ping' }])
    } finally {
      await replacement.close()
    }
  })
})
