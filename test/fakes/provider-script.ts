// What a fake model provider should do with its next request: reply, call tools, fail with a status, fail mid-stream,
// or hang. Shared by the Anthropic, OpenAI and Google doubles; each renders a script in its own wire format.
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One tool call the model makes: the tool's name and its arguments (a JSON object). */
export interface ScriptedToolCall {
  name: string
  args: Record<string, unknown>
  /** The call id the provider hands out; generated in the provider's own style when left out. */
  id?: string
}

/** Token counts to report; each one left out is estimated (input from the request's size, output from the reply). */
export interface ScriptedUsage {
  inputTokens?: number
  outputTokens?: number
}

export type ProviderScript =
  /** A normal reply, streamed in word tokens when the client asked for a stream. */
  | { kind: 'reply'; text: string; chunkDelayMs?: number; usage?: ScriptedUsage }
  /** The model calls one or more tools (after an optional `text`), and the turn ends with the provider's tool stop reason. */
  | { kind: 'tool-calls'; calls: ScriptedToolCall[]; text?: string; chunkDelayMs?: number; usage?: ScriptedUsage }
  /** An HTTP error before any streaming (429 with retry-after, 500, 529, 401, …), in the provider's error shape. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string }
  /**
   * Streams `text`, then the provider's documented error event, then closes. A non-streaming request gets the head
   * and part of a body, then the connection drops: there is no "mid-stream" in one JSON body.
   */
  | { kind: 'error-mid-stream'; text: string; errorType?: string }
  /** Streams `text` (possibly empty), then goes silent without closing: the client must time out. */
  | { kind: 'hang'; text?: string }
  /** Accepts the request and never answers, not even headers. */
  | { kind: 'hang-before-headers' }
  /** Streams `text` then drops the connection without a terminating event (non-streaming: half a body, then drop). */
  | { kind: 'cut'; text: string }

/** A script, or a function that writes the script from the request it answers (to echo a tool result, say). */
export type ScriptStep = ProviderScript | ((req: RecordedRequest) => ProviderScript)

export interface RecordedRequest {
  method: string
  /** The path with its query string, as sent. */
  path: string
  headers: IncomingMessage['headers']
  /** The parsed JSON body, or null when it was not JSON. */
  body: any
  /** Whether the client asked for a streamed answer (each provider says so its own way). */
  stream: boolean
  /** Date.now() when the request arrived, to read the waits between retries. */
  receivedAt: number
}

/** A tool result the client sent back, read out of the provider's own message format. */
export interface ToolResultSeen {
  /** The call id it answers (Gemini's parts carry one only when the client sent it). */
  callId?: string
  /** The tool's name, where the format carries it (Gemini's functionResponse does; Anthropic and OpenAI do not). */
  name?: string
  /** The output, parsed when it is JSON text. */
  output: unknown
  /** Set when the client marked the result as an error (Anthropic's `is_error`). */
  isError?: boolean
}

export interface FakeProvider {
  url: string
  requests: RecordedRequest[]
  /** Scripts for the next requests, in order; when none is queued the fake replies with its default echo. */
  enqueue(...scripts: ScriptStep[]): void
  /** How many queued scripts have not been used yet. */
  pending(): number
  /** The tool results in a request (the last one by default). */
  toolResults(req?: RecordedRequest): ToolResultSeen[]
  /** The names of the tools the client offered in a request (the last one by default). */
  toolNames(req?: RecordedRequest): string[]
  close(): Promise<void>
}

/** How one provider reads its own requests. */
export interface ProviderFormat {
  route: (method: string, path: string) => boolean
  authorize: (req: IncomingMessage) => { status: number; message: string } | null
  unauthorized: (res: ServerResponse, denial: { status: number; message: string }) => void
  notFound: (res: ServerResponse) => void
  isStream: (path: string, body: any) => boolean
  handle: (script: ProviderScript, req: RecordedRequest, res: ServerResponse) => Promise<void>
  defaultReply: (req: RecordedRequest) => string
  toolResults: (req: RecordedRequest) => ToolResultSeen[]
  toolNames: (req: RecordedRequest) => string[]
}

export function tokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? []
}

/** Splits a string into `parts` pieces (fewer when it is shorter), the way providers stream JSON arguments. */
export function fragments(text: string, parts = 3): string[] {
  if (text.length <= 1) return [text]
  const size = Math.ceil(text.length / Math.min(parts, text.length))
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

/** A rough token count for usage: about four characters a token, like the providers' own rule of thumb. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '')
  return Math.max(1, Math.ceil(text.length / 4))
}

/** Usage for a finished turn: what the script says, else estimates. */
export function usageOf(script: { usage?: ScriptedUsage }, request: unknown, output: string): { input: number; output: number } {
  return {
    input: script.usage?.inputTokens ?? estimateTokens(request),
    output: script.usage?.outputTokens ?? Math.max(1, tokens(output).length),
  }
}

/** Parses text that holds JSON; leaves anything else as it was. */
export function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try { return JSON.parse(value) } catch { return value }
}

let counter = 0
/** A provider-style id (`toolu_…`, `call_…`, `msg_…`): unique within the test process. */
export function fakeId(prefix: string): string {
  counter += 1
  return `${prefix}${Date.now().toString(36)}${counter.toString(36).padStart(4, '0')}`
}

/** Starts an HTTP server on 127.0.0.1:0 that records each request and plays the next script in `format`. */
export async function startFakeProvider(format: ProviderFormat): Promise<FakeProvider> {
  const queue: ScriptStep[] = []
  const requests: RecordedRequest[] = []
  const open = new Set<ServerResponse>()
  const server: Server = createServer(async (req, res) => {
    const receivedAt = Date.now()
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    let body: unknown = null
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')) } catch { /* recorded as null */ }
    const path = req.url ?? ''
    const recorded: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, stream: format.isStream(path, body), receivedAt }
    requests.push(recorded)
    if (!format.route(recorded.method, path)) return format.notFound(res)
    const denied = format.authorize(req)
    if (denied) return format.unauthorized(res, denied)
    open.add(res)
    res.on('close', () => open.delete(res))
    const step = queue.shift() ?? { kind: 'reply', text: format.defaultReply(recorded) }
    await format.handle(typeof step === 'function' ? step(recorded) : step, recorded, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const last = () => requests.at(-1)
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...scripts) => { queue.push(...scripts) },
    pending: () => queue.length,
    toolResults: (req = last()) => (req ? format.toolResults(req) : []),
    toolNames: (req = last()) => (req ? format.toolNames(req) : []),
    async close() {
      for (const res of open) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resolves once everything written so far has reached the socket (an SSE comment line, ignored by clients, marks it). */
export function flushed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => res.write(': flush\n\n', () => resolve()))
}

/** A JSON body cut in half, then a dropped connection: a non-streaming answer that never completes. */
export async function halfABody(res: ServerResponse, body: unknown): Promise<void> {
  const text = JSON.stringify(body)
  res.writeHead(200, { 'content-type': 'application/json' })
  await new Promise<void>((resolve) => res.write(text.slice(0, Math.floor(text.length / 2)), () => resolve()))
  res.destroy()
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
}

export function retryAfter(script: { retryAfterSeconds?: number }): Record<string, string> {
  return script.retryAfterSeconds === undefined ? {} : { 'retry-after': String(script.retryAfterSeconds) }
}
