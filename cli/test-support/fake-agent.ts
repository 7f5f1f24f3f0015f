// A stand-in for a superfriend behind the edge: a real HTTP server that hands each POST /v1/chat to the
// test, which answers it step by step in the runtime's SSE format (start, delta…, done | error).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ChatRequest {
  host: string | undefined
  headers: IncomingMessage['headers']
  body: { message?: string; conversationId?: string }
  res: ServerResponse
}

export interface FakeAgent {
  port: number
  /** The next request the CLI sends (already received, or the one to come). */
  nextRequest(): Promise<ChatRequest>
  close(): Promise<void>
}

export async function startFakeAgent(): Promise<FakeAgent> {
  const received: ChatRequest[] = []
  const waiting: Array<(request: ChatRequest) => void> = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request: ChatRequest = { host: req.headers.host, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString() || '{}'), res }
      const waiter = waiting.shift()
      if (waiter) waiter(request)
      else received.push(request)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    nextRequest: () => {
      const ready = received.shift()
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve))
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/** Writes one SSE frame exactly as agent/src/http/event-stream.ts does. */
export function sendEvent(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
}

export function openStream(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers })
}

/** A whole quick reply: start, one delta per piece, done. */
export function reply(res: ServerResponse, conversationId: string, pieces: string[]): void {
  openStream(res)
  sendEvent(res, 'start', { conversationId })
  for (const text of pieces) sendEvent(res, 'delta', { text })
  sendEvent(res, 'done', { conversationId, messageId: '2', usage: { inputTokens: 3, outputTokens: pieces.length } })
  res.end()
}
