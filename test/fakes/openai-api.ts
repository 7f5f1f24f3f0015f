// A local double of an OpenAI-compatible Chat Completions server (POST /v1/chat/completions), speaking its SSE format:
// `data: {chat.completion.chunk}` lines, a usage chunk when stream_options.include_usage, then `data: [DONE]`;
// errors as HTTP status with {error:{message,type,code}} (429 with retry-after) or as a `data: {"error":…}` line mid-stream.
import type { ServerResponse } from 'node:http'
import { flushed, sleep, startFakeProvider, tokens } from './provider-script.ts'
import type { FakeProvider, ProviderScript, RecordedRequest } from './provider-script.ts'

export type { FakeProvider, ProviderScript } from './provider-script.ts'

function data(res: ServerResponse, payload: unknown): void {
  res.write(`data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`)
}

function promptTokens(req: RecordedRequest): number {
  return Math.ceil((req.body?.messages ?? []).map((m: any) => String(m.content)).join('').length / 4)
}

async function streamText(res: ServerResponse, req: RecordedRequest, text: string, delayMs = 0): Promise<number> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const base = { id: `chatcmpl-fake${Date.now()}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: req.body?.model }
  data(res, { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })
  const parts = tokens(text)
  for (const part of parts) {
    if (delayMs) await sleep(delayMs)
    data(res, { ...base, choices: [{ index: 0, delta: { content: part }, finish_reason: null }] })
  }
  return parts.length
}

async function handle(script: ProviderScript, req: RecordedRequest, res: ServerResponse): Promise<void> {
  switch (script.kind) {
    case 'reply': {
      const n = await streamText(res, req, script.text, script.chunkDelayMs)
      const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: req.body?.model }
      data(res, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })
      if (req.body?.stream_options?.include_usage) {
        data(res, { ...base, choices: [], usage: { prompt_tokens: promptTokens(req), completion_tokens: n, total_tokens: promptTokens(req) + n } })
      }
      data(res, '[DONE]')
      res.end()
      return
    }
    case 'status': {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (script.retryAfterSeconds !== undefined) headers['retry-after'] = String(script.retryAfterSeconds)
      const type = script.status === 429 ? 'rate_limit_exceeded' : script.status >= 500 ? 'server_error' : 'invalid_request_error'
      res.writeHead(script.status, headers).end(JSON.stringify({ error: { message: script.message ?? `fake status ${script.status}`, type, param: null, code: type } }))
      return
    }
    case 'error-mid-stream':
      await streamText(res, req, script.text)
      data(res, { error: { message: 'The server had an error while processing your request.', type: script.errorType ?? 'server_error', param: null, code: null } })
      res.end()
      return
    case 'hang':
      await streamText(res, req, script.text ?? '')
      return
    case 'hang-before-headers':
      return
    case 'cut':
      await streamText(res, req, script.text)
      await flushed(res)
      res.destroy()
      return
  }
}

export function startFakeOpenAi(opts: { apiKey?: string } = {}): Promise<FakeProvider> {
  const apiKey = opts.apiKey ?? 'sk-openai-test'
  return startFakeProvider({
    route: (method, path) => method === 'POST' && path === '/v1/chat/completions',
    authorize: (req) => (req.headers.authorization === `Bearer ${apiKey}` ? null : 'Incorrect API key provided'),
    unauthorized: (res, message) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }))
    },
    handle,
    defaultReply: (req) => `Fake GPT heard: ${String(req.body?.messages?.at(-1)?.content ?? '')}`,
  })
}
