// An agent's MCP servers as AI SDK tools, through the official MCP SDK: Streamable HTTP first, the older HTTP+SSE
// transport when a server refuses it. Tools are listed at the start of a turn (the list is kept briefly per server URL
// and headers, so a turn that finds it fresh connects only when a tool is called), named `<server>__<tool>`.
// A server that is down or misconfigured loses its tools for the turn and leaves a note; the turn goes on.
import { createHash } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js'
import { jsonSchema, tool } from 'ai'
import type { JSONSchema7, ToolSet } from 'ai'
import { MCP_TOOL_SEPARATOR } from '../../../wire/agent-tools.ts'
import type { McpServerConfig } from '../../../wire/agent-tools.ts'
import { egressRefusal, networkError } from './egress-fetch.ts'
import type { FetchFn } from './egress-fetch.ts'

/** Connecting and listing one server's tools; a server slower than this counts as down for the turn. */
export const MCP_LIST_TIMEOUT_MS = 10_000
/** One tool call; the server is told to stop (the request is cancelled) when it runs out. */
export const MCP_CALL_TIMEOUT_MS = 60_000
/** How long a server's tool list is reused: short, so a changed server is seen within the next turn or two. */
export const MCP_LIST_CACHE_MS = 30_000
/** Tools taken from one server: a model chooses badly among hundreds, and each costs prompt tokens. */
export const MCP_MAX_TOOLS_PER_SERVER = 64
/** A server's description of a tool is cut here: every turn pays for it in prompt tokens. */
export const MCP_MAX_DESCRIPTION_CHARS = 2_000
// Providers accept tool names of at most 64 of [a-zA-Z0-9_-] (OpenAI and Anthropic alike).
const TOOL_NAME_MAX = 64

type Transport = 'streamable-http' | 'sse'
interface ListedServer { tools: McpTool[]; transport: Transport; expires: number }

// Per process, keyed by a hash of the URL and the header values, so an agent whose token changed lists again.
const listCache = new Map<string, ListedServer>()

/** Forgets every cached tool list (tests; a runtime never needs to). */
export function clearMcpListCache(): void {
  listCache.clear()
}

export interface McpToolsOptions {
  servers: readonly McpServerConfig[]
  secrets: Readonly<Record<string, string>>
  fetch: FetchFn
  signal?: AbortSignal
  listTimeoutMs?: number
  callTimeoutMs?: number
  /** The clock for the cache (tests move it). */
  now?: () => number
}

export interface McpTools { tools: ToolSet; notes: string[]; close(): Promise<void> }

/** One server for one turn: a client connected on first need, closed with the turn. */
class McpConnection {
  private connected: Promise<{ client: Client; transport: Transport }> | undefined
  private readonly url: URL
  private readonly headers: Record<string, string>
  private readonly fetch: FetchFn
  private readonly timeoutMs: number
  private readonly preferred: Transport | undefined
  private streamable: StreamableHTTPClientTransport | undefined
  constructor(url: URL, headers: Record<string, string>, fetch: FetchFn, timeoutMs: number, preferred?: Transport) {
    this.url = url
    this.headers = headers
    this.fetch = fetch
    this.timeoutMs = timeoutMs
    this.preferred = preferred
  }

  connect(signal?: AbortSignal): Promise<{ client: Client; transport: Transport }> {
    this.connected ??= this.open(signal).catch((error) => { this.connected = undefined; throw error })
    return this.connected
  }

  private async open(signal?: AbortSignal): Promise<{ client: Client; transport: Transport }> {
    if (this.preferred !== 'sse') {
      try {
        return { client: await this.attempt('streamable-http', signal), transport: 'streamable-http' }
      } catch (error) {
        // The spec's backwards compatibility: a server that answers the POST with a 4xx may speak only the old transport.
        if (!(error instanceof StreamableHTTPError) || !isRefusalStatus(error.code)) throw error
      }
    }
    return { client: await this.attempt('sse', signal), transport: 'sse' }
  }

  private async attempt(kind: Transport, signal?: AbortSignal): Promise<Client> {
    const requestInit = { headers: this.headers }
    const transport = kind === 'sse'
      ? new SSEClientTransport(this.url, { requestInit, fetch: this.fetch })
      : new StreamableHTTPClientTransport(this.url, { requestInit, fetch: this.fetch })
    const client = new Client({ name: 'myintell-agent', version: '1.0.0' })
    try {
      await client.connect(transport, { timeout: this.timeoutMs, signal })
      if (transport instanceof StreamableHTTPClientTransport) this.streamable = transport
      return client
    } catch (error) {
      await client.close().catch(() => {})
      throw error
    }
  }

  async close(): Promise<void> {
    const connected = this.connected
    this.connected = undefined
    // A server that keeps sessions is told this one is over (DELETE), so it does not hold it until it expires.
    if (this.streamable?.sessionId) await this.streamable.terminateSession().catch(() => {})
    if (connected) await connected.then(({ client }) => client.close(), () => {}).catch(() => {})
  }
}

const isRefusalStatus = (code: number | undefined) => code === 400 || code === 404 || code === 405

/** Lists the servers' tools (in parallel) and wraps each as an AI SDK tool; never throws for a server that fails. */
export async function mcpTools(o: McpToolsOptions): Promise<McpTools> {
  const now = o.now ?? Date.now
  const connections: McpConnection[] = []
  const notes: string[] = []
  const tools: ToolSet = {}

  const listed = await Promise.all(o.servers.map(async (server) => {
    const unavailable = (why: string) => ({ note: `MCP server \`${server.name}\` is unavailable this turn: ${why}` })
    const headers: Record<string, string> = {}
    for (const [header, secret] of Object.entries(server.headers ?? {})) {
      const value = o.secrets[secret]
      if (value === undefined) return unavailable(`its header ${header} names the secret ${secret}, which this agent does not have`)
      headers[header] = value
    }
    let url: URL
    try { url = new URL(server.url) } catch { return unavailable('its URL is not valid') }
    const key = cacheKey(server.url, headers)
    const cached = listCache.get(key)
    const fresh = cached && cached.expires > now() ? cached : undefined
    const connection = new McpConnection(url, headers, o.fetch, o.listTimeoutMs ?? MCP_LIST_TIMEOUT_MS, fresh?.transport)
    connections.push(connection)
    if (fresh) return { server, connection, tools: fresh.tools }
    // One deadline for connecting and listing together, so a slow server costs the turn at most that long.
    const listTimeoutMs = o.listTimeoutMs ?? MCP_LIST_TIMEOUT_MS
    const deadline = new AbortController()
    const timer = setTimeout(() => deadline.abort(new Error(`no answer within ${listTimeoutMs / 1000} s`)), listTimeoutMs)
    const signal = o.signal ? AbortSignal.any([o.signal, deadline.signal]) : deadline.signal
    try {
      const { client, transport } = await connection.connect(signal)
      const found = await listAll(client, listTimeoutMs, signal)
      for (const [k, v] of listCache) if (v.expires <= now()) listCache.delete(k)
      listCache.set(key, { tools: found, transport, expires: now() + MCP_LIST_CACHE_MS })
      return { server, connection, tools: found }
    } catch (error) {
      listCache.delete(key)
      return unavailable(signal.aborted && !o.signal?.aborted ? `no answer within ${listTimeoutMs / 1000} s` : reason(error))
    } finally {
      clearTimeout(timer)
    }
  }))

  // Notes and tools in the order the agent lists its servers, whichever answered first.
  for (const entry of listed) {
    if ('note' in entry) { notes.push(entry.note); continue }
    const { server, connection } = entry
    const taken = entry.tools.slice(0, MCP_MAX_TOOLS_PER_SERVER)
    if (entry.tools.length > taken.length) notes.push(`MCP server \`${server.name}\` offers ${entry.tools.length} tools; only the first ${taken.length} are available`)
    for (const mcpTool of taken) {
      const name = toolName(server.name, mcpTool.name)
      if (!name || name in tools) {
        notes.push(`MCP server \`${server.name}\`: its tool \`${mcpTool.name}\` is left out (as \`${name ?? `${server.name}${MCP_TOOL_SEPARATOR}${mcpTool.name}`}\` it is longer than ${TOOL_NAME_MAX} characters or clashes with another tool)`)
        continue
      }
      tools[name] = tool({
        description: (mcpTool.description ?? mcpTool.title ?? `${mcpTool.name} (MCP server ${server.name})`).slice(0, MCP_MAX_DESCRIPTION_CHARS),
        inputSchema: jsonSchema(objectSchema(mcpTool.inputSchema)),
        metadata: { mcpServer: server.name, mcpTool: mcpTool.name },
        execute: async (input: unknown, { abortSignal }) => {
          const { client } = await connection.connect(abortSignal).catch((error) => { throw new Error(`MCP server ${server.name} is unavailable: ${reason(error)}`) })
          const result = await client.callTool(
            { name: mcpTool.name, arguments: (input ?? {}) as Record<string, unknown> },
            undefined,
            { timeout: o.callTimeoutMs ?? MCP_CALL_TIMEOUT_MS, signal: abortSignal },
          ).catch((error) => { throw new Error(`${mcpTool.name} on MCP server ${server.name} failed: ${reason(error)}`) })
          const text = resultText(result)
          // An MCP tool error is meant for the model: thrown, the AI SDK hands it over as the tool's error result.
          if (result.isError) throw new Error(text || `${mcpTool.name} failed`)
          return text
        },
      })
    }
  }

  return {
    tools,
    notes,
    close: async () => { await Promise.all(connections.map((c) => c.close())) },
  }
}

async function listAll(client: Client, timeoutMs: number, signal?: AbortSignal): Promise<McpTool[]> {
  const all: McpTool[] = []
  let cursor: string | undefined
  // A few pages at most: MCP_MAX_TOOLS_PER_SERVER is all a turn takes anyway.
  for (let page = 0; page < 5; page++) {
    const { tools, nextCursor } = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs, signal })
    all.push(...tools)
    if (!nextCursor || all.length >= MCP_MAX_TOOLS_PER_SERVER) break
    cursor = nextCursor
  }
  return all
}

/** `<server>__<tool>` in the characters providers accept; null when it would not fit. */
export function toolName(server: string, tool: string): string | null {
  const name = `${server}${MCP_TOOL_SEPARATOR}${tool.replace(/[^a-zA-Z0-9_-]/g, '_')}`
  return name.length <= TOOL_NAME_MAX ? name : null
}

function objectSchema(schema: McpTool['inputSchema']): JSONSchema7 {
  // Providers want an object schema; an MCP server always sends one, but may leave out `properties`.
  return { ...(schema as JSONSchema7), type: 'object', properties: (schema.properties ?? {}) as JSONSchema7['properties'] }
}

/** A call's content as the model reads it: text joined; other kinds named, not inlined. */
export function resultText(result: Record<string, unknown>): string {
  const content = Array.isArray(result.content) ? result.content : []
  const parts = content.map((block: any) => {
    switch (block?.type) {
      case 'text': return String(block.text)
      case 'resource': return typeof block.resource?.text === 'string' ? block.resource.text : `[resource ${block.resource?.uri ?? ''} (${block.resource?.mimeType ?? 'binary'}), not shown]`
      case 'resource_link': return `[resource link ${block.uri}${block.name ? ` (${block.name})` : ''}]`
      case 'image': case 'audio': return `[${block.type} (${block.mimeType}), not shown]`
      default: return `[${String(block?.type)} content, not shown]`
    }
  })
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent)
  return parts.join('\n')
}

function reason(error: unknown): string {
  const refused = egressRefusal(error)
  if (refused) return refused.message
  if (error instanceof StreamableHTTPError && error.code !== undefined && error.code > 0) {
    return error.code === 401 || error.code === 403 ? `it refused our credentials (HTTP ${error.code})` : `it answered HTTP ${error.code}`
  }
  return networkError(error)
}

function cacheKey(url: string, headers: Record<string, string>): string {
  const sorted = Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]).sort(([a], [b]) => a!.localeCompare(b!))
  return createHash('sha256').update(JSON.stringify([url, sorted])).digest('base64url')
}
