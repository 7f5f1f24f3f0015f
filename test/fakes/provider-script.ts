// What a fake model provider should do with its next request: reply, fail with a status, fail mid-stream, or hang.
// Shared by test/fakes/anthropic-api.ts and test/fakes/openai-api.ts; each renders it in its own wire format.
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type ProviderScript =
  /** A normal streamed reply, split into word tokens. */
  | { kind: 'reply'; text: string; chunkDelayMs?: number }
  /** An HTTP error before any streaming (429 with retry-after, 500, 529, 401, …). */
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string }
  /** Streams `text`, then the provider's documented error event, then closes. */
  | { kind: 'error-mid-stream'; text: string; errorType?: string }
  /** Streams `text` (possibly empty), then goes silent without closing: the client must time out. */
  | { kind: 'hang'; text?: string }
  /** Accepts the request and never answers, not even headers. */
  | { kind: 'hang-before-headers' }
  /** Streams `text` then drops the connection without a terminating event. */
  | { kind: 'cut'; text: string }

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: any
}

export interface FakeProvider {
  url: string
  requests: RecordedRequest[]
  /** Scripts for the next requests, in order; when none is queued the fake replies with `defaultReply`. */
  enqueue(...scripts: ProviderScript[]): void
  close(): Promise<void>
}

export function tokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? []
}

export type Handler = (script: ProviderScript, req: RecordedRequest, res: ServerResponse) => Promise<void>

/** Starts an HTTP server on 127.0.0.1:0 that records each request and plays the next script through `handle`. */
export async function startFakeProvider(opts: {
  route: (method: string, path: string) => boolean
  authorize: (req: IncomingMessage) => string | null
  unauthorized: (res: ServerResponse, message: string) => void
  handle: Handler
  defaultReply: (req: RecordedRequest) => string
}): Promise<FakeProvider> {
  const queue: ProviderScript[] = []
  const requests: RecordedRequest[] = []
  const open = new Set<ServerResponse>()
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    let body: unknown = null
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')) } catch { /* recorded as null */ }
    const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body }
    requests.push(recorded)
    if (!opts.route(recorded.method, recorded.path)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}')
      return
    }
    const denied = opts.authorize(req)
    if (denied) return opts.unauthorized(res, denied)
    open.add(res)
    res.on('close', () => open.delete(res))
    await opts.handle(queue.shift() ?? { kind: 'reply', text: opts.defaultReply(recorded) }, recorded, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...scripts) => queue.push(...scripts),
    async close() {
      for (const res of open) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resolves once everything written so far has reached the socket (an SSE comment line, ignored by clients, marks it). */
export function flushed(res: import('node:http').ServerResponse): Promise<void> {
  return new Promise((resolve) => res.write(': flush\n\n', () => resolve()))
}
