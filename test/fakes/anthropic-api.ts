// A local double of the Anthropic Messages API (POST /v1/messages, stream: true), speaking its documented SSE format:
// message_start, content_block_start, ping, content_block_delta (text_delta)…, content_block_stop, message_delta, message_stop;
// errors as HTTP status with {type:"error",error:{type,message}} (429 with retry-after) or as an `error` event mid-stream.
import type { ServerResponse } from 'node:http'
import { flushed, sleep, startFakeProvider, tokens } from './provider-script.ts'
import type { FakeProvider, ProviderScript, RecordedRequest } from './provider-script.ts'

export type { FakeProvider, ProviderScript } from './provider-script.ts'

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error',
}

function event(res: ServerResponse, name: string, data: unknown): void {
  res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
}

function inputTokens(req: RecordedRequest): number {
  const text = String(req.body?.system ?? '') + (req.body?.messages ?? []).map((m: any) => String(m.content)).join('')
  return Math.ceil(text.length / 4)
}

async function streamText(res: ServerResponse, req: RecordedRequest, text: string, delayMs = 0): Promise<number> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_${Date.now()}` })
  event(res, 'message_start', {
    type: 'message_start',
    message: { id: `msg_${Date.now()}`, type: 'message', role: 'assistant', content: [], model: req.body?.model, stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens(req), output_tokens: 1 } },
  })
  event(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })
  event(res, 'ping', { type: 'ping' })
  const parts = tokens(text)
  for (const part of parts) {
    if (delayMs) await sleep(delayMs)
    event(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: part } })
  }
  return parts.length
}

async function handle(script: ProviderScript, req: RecordedRequest, res: ServerResponse): Promise<void> {
  switch (script.kind) {
    case 'reply': {
      const n = await streamText(res, req, script.text, script.chunkDelayMs)
      event(res, 'content_block_stop', { type: 'content_block_stop', index: 0 })
      event(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: n } })
      event(res, 'message_stop', { type: 'message_stop' })
      res.end()
      return
    }
    case 'status': {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (script.retryAfterSeconds !== undefined) headers['retry-after'] = String(script.retryAfterSeconds)
      res.writeHead(script.status, headers).end(JSON.stringify({ type: 'error', error: { type: ERROR_TYPES[script.status] ?? 'api_error', message: script.message ?? `fake status ${script.status}` } }))
      return
    }
    case 'error-mid-stream':
      await streamText(res, req, script.text)
      event(res, 'error', { type: 'error', error: { type: script.errorType ?? 'overloaded_error', message: 'Overloaded' } })
      res.end()
      return
    case 'hang':
      await streamText(res, req, script.text ?? '')
      return // never ends; the client must give up
    case 'hang-before-headers':
      return
    case 'cut':
      await streamText(res, req, script.text)
      await flushed(res)
      res.destroy()
      return
  }
}

export function startFakeAnthropic(opts: { apiKey?: string } = {}): Promise<FakeProvider> {
  const apiKey = opts.apiKey ?? 'sk-ant-test'
  return startFakeProvider({
    route: (method, path) => method === 'POST' && path === '/v1/messages',
    authorize: (req) => {
      if (req.headers['x-api-key'] !== apiKey) return 'invalid x-api-key'
      if (!req.headers['anthropic-version']) return 'anthropic-version header is required'
      return null
    },
    unauthorized: (res, message) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message } }))
    },
    handle,
    defaultReply: (req) => `Fake Claude heard: ${String(req.body?.messages?.at(-1)?.content ?? '')}`,
  })
}
