// A real MCP server built with the official SDK, on node:http, for the runtime's MCP client to talk to: Streamable HTTP
// (stateless) at /mcp, the older HTTP+SSE transport at /sse + /messages for the client's fallback, an optional required
// header (401 without it), a record of calls, and stop/start on the same port to play "server down".
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'

/** A tool the fake serves: a zod shape for its arguments and what it does with them. */
export interface FakeMcpTool {
  name: string
  description?: string
  inputSchema: z.ZodRawShape
  run: (args: any, signal: AbortSignal) => CallToolResult | Promise<CallToolResult>
}

export interface McpToolCall {
  tool: string
  args: unknown
  /** The HTTP headers of the request that carried the call. */
  headers: IncomingHttpHeaders
  transport: 'streamable-http' | 'sse'
  /**
   * Set when the call's request went away before the tool finished. A stateless server cannot match a client's
   * notifications/cancelled to the request, so this happens when the client closes the connection that carries it.
   */
  aborted?: boolean
}

export interface McpHttpRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** The JSON-RPC methods in a POST body (`initialize`, `tools/list`, `tools/call`, notifications…). */
  rpc: string[]
  status?: number
}

export interface FakeMcpServer {
  /** The Streamable HTTP endpoint. */
  url: string
  /** The legacy HTTP+SSE endpoint (GET opens the stream; a POST here answers 405, which makes clients fall back). */
  sseUrl: string
  port: number
  calls: McpToolCall[]
  requests: McpHttpRequest[]
  /** Replaces the tools served from the next request (open SSE sessions keep theirs). */
  setTools(tools: FakeMcpTool[]): void
  /** Closes the port and every open connection; `start()` listens on the same port again. */
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
}

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] })

/** add, echo, fail (an MCP tool error, isError: true) and slow (waits `ms`, giving up when its request is aborted). */
export const defaultMcpTools: FakeMcpTool[] = [
  {
    name: 'add', description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() },
    run: ({ a, b }) => ({ ...text(String(a + b)), structuredContent: { sum: a + b } }),
  },
  { name: 'echo', description: 'Echoes a text', inputSchema: { text: z.string() }, run: ({ text: t }) => text(t) },
  {
    name: 'fail', description: 'Always fails, as a tool error the model can read', inputSchema: { reason: z.string().optional() },
    run: ({ reason }) => ({ isError: true, content: [{ type: 'text', text: `fail: ${reason ?? 'this tool always fails'}` }] }),
  },
  {
    name: 'slow', description: 'Waits, then answers', inputSchema: { ms: z.number().int().min(0).max(60_000) },
    run: ({ ms }, signal) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(text(`waited ${ms} ms`)), ms)
      signal.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('aborted')) }, { once: true })
    }),
  },
]

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  if (chunks.length === 0) return undefined
  try { return JSON.parse(Buffer.concat(chunks).toString('utf8')) } catch { return undefined }
}

const rpcMethods = (body: unknown): string[] =>
  (Array.isArray(body) ? body : [body]).map((m: any) => m?.method).filter((m): m is string => typeof m === 'string')

function jsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }))
}

export async function startFakeMcpServer(opts: {
  tools?: FakeMcpTool[]
  /** A header every request must carry, e.g. `{ name: 'authorization', value: 'Bearer x' }`; 401 without it. */
  requireHeader?: { name: string; value: string }
  /** The port to listen on (127.0.0.1); 0, the default, picks a free one. A test that names one must know it is free. */
  port?: number
  name?: string
} = {}): Promise<FakeMcpServer> {
  let tools = opts.tools ?? defaultMcpTools
  const calls: McpToolCall[] = []
  const requests: McpHttpRequest[] = []
  const sseSessions = new Map<string, SSEServerTransport>()
  const sockets = new Set<import('node:net').Socket>()

  function buildServer(transport: McpToolCall['transport']): McpServer {
    const server = new McpServer({ name: opts.name ?? 'fake-mcp', version: '1.0.0' })
    for (const t of tools) {
      server.registerTool(t.name, { description: t.description, inputSchema: t.inputSchema }, async (args: unknown, extra) => {
        const call: McpToolCall = { tool: t.name, args, headers: (extra.requestInfo?.headers ?? {}) as IncomingHttpHeaders, transport }
        calls.push(call)
        extra.signal.addEventListener('abort', () => { call.aborted = true }, { once: true })
        return t.run(args, extra.signal)
      })
    }
    return server
  }

  async function streamable(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    // Stateless: a fresh server and transport per request, as the SDK requires when there are no sessions.
    const server = buildServer('streamable-http')
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
    res.on('close', () => { void transport.close(); void server.close() })
    await server.connect(transport)
    await transport.handleRequest(req, res, body)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-mcp')
    const body = req.method === 'POST' ? await readJson(req) : undefined
    const record: McpHttpRequest = { method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, rpc: rpcMethods(body) }
    requests.push(record)
    res.on('finish', () => { record.status = res.statusCode })

    if (opts.requireHeader && req.headers[opts.requireHeader.name.toLowerCase()] !== opts.requireHeader.value) {
      return jsonRpcError(res, 401, 'Unauthorized', { 'www-authenticate': 'Bearer realm="fake-mcp"' })
    }
    if (url.pathname === '/mcp') {
      if (req.method === 'POST') return streamable(req, res, body)
      // No standalone SSE stream and no sessions to delete in stateless mode.
      return jsonRpcError(res, 405, 'Method not allowed.', { allow: 'POST' })
    }
    if (url.pathname === '/sse') {
      if (req.method !== 'GET') return jsonRpcError(res, 405, 'Method not allowed.', { allow: 'GET' })
      const transport = new SSEServerTransport('/messages', res)
      sseSessions.set(transport.sessionId, transport)
      res.on('close', () => { sseSessions.delete(transport.sessionId) })
      await buildServer('sse').connect(transport)
      return
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const transport = sseSessions.get(url.searchParams.get('sessionId') ?? '')
      if (!transport) return jsonRpcError(res, 404, 'Session not found')
      return transport.handlePostMessage(req, res, body)
    }
    jsonRpcError(res, 404, 'Not found')
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) jsonRpcError(res, 500, error instanceof Error ? error.message : 'internal error')
      else res.destroy()
    })
  })
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)) })

  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  await listen(opts.port ?? 0)
  const { port } = server.address() as AddressInfo
  let running = true

  const stop = async () => {
    if (!running) return
    running = false
    for (const t of sseSessions.values()) await t.close().catch(() => {})
    sseSessions.clear()
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sseUrl: `http://127.0.0.1:${port}/sse`,
    port,
    calls,
    requests,
    setTools: (next) => { tools = next },
    stop,
    async start() {
      if (running) return
      await listen(port)
      running = true
    },
    close: stop,
  }
}
