// A local double of the Anthropic Messages API (POST /v1/messages), streaming or not, in its documented formats:
// SSE message_start, content_block_start (text | tool_use), content_block_delta (text_delta | input_json_delta)…,
// content_block_stop, message_delta (stop_reason, usage), message_stop; errors {type:"error",error:{type,message}}.
import type { ServerResponse } from 'node:http'
import { fakeId, flushed, fragments, halfABody, json, retryAfter, sleep, startFakeProvider, tokens, usageOf } from './provider-script.ts'
import type { FakeProvider, ProviderScript, RecordedRequest, ScriptedToolCall, ToolResultSeen } from './provider-script.ts'
import { parseMaybeJson } from './provider-script.ts'

export type { FakeProvider, ProviderScript, ScriptStep, ScriptedToolCall } from './provider-script.ts'

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 402: 'billing_error', 403: 'permission_error',
  404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error',
}

function event(res: ServerResponse, name: string, data: unknown): void {
  res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
}

const promptOf = (req: RecordedRequest) => ({ system: req.body?.system, messages: req.body?.messages, tools: req.body?.tools })

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.filter((b) => b?.type === 'text').map((b) => String(b.text)).join('')
}

interface Turn { text: string; calls: Array<Required<ScriptedToolCall>>; stop: 'end_turn' | 'tool_use' }

function turnOf(script: Extract<ProviderScript, { kind: 'reply' | 'tool-calls' }>): Turn {
  if (script.kind === 'reply') return { text: script.text, calls: [], stop: 'end_turn' }
  return { text: script.text ?? '', calls: script.calls.map((c) => ({ ...c, id: c.id ?? fakeId('toolu_') })), stop: 'tool_use' }
}

function message(req: RecordedRequest, turn: Turn, usage: { input: number; output: number }) {
  const content: unknown[] = []
  if (turn.text) content.push({ type: 'text', text: turn.text })
  for (const call of turn.calls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.args })
  return {
    id: fakeId('msg_'), type: 'message', role: 'assistant', model: req.body?.model, content,
    stop_reason: turn.stop, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: usage.output },
  }
}

function startStream(res: ServerResponse, req: RecordedRequest, inputTokens: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': fakeId('req_') })
  event(res, 'message_start', {
    type: 'message_start',
    message: { id: fakeId('msg_'), type: 'message', role: 'assistant', content: [], model: req.body?.model, stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } },
  })
}

async function streamTextBlock(res: ServerResponse, index: number, text: string, delayMs = 0): Promise<void> {
  event(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } })
  event(res, 'ping', { type: 'ping' })
  for (const part of tokens(text)) {
    if (delayMs) await sleep(delayMs)
    event(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: part } })
  }
}

async function streamTurn(res: ServerResponse, req: RecordedRequest, turn: Turn, usage: { input: number; output: number }, delayMs = 0): Promise<void> {
  startStream(res, req, usage.input)
  let index = 0
  if (turn.text || turn.calls.length === 0) {
    await streamTextBlock(res, index, turn.text, delayMs)
    event(res, 'content_block_stop', { type: 'content_block_stop', index })
    index += 1
  }
  for (const call of turn.calls) {
    event(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } })
    // The API opens every tool_use block with an empty partial_json, then sends the arguments in pieces.
    for (const partial of ['', ...fragments(JSON.stringify(call.args))]) {
      if (delayMs) await sleep(delayMs)
      event(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } })
    }
    event(res, 'content_block_stop', { type: 'content_block_stop', index })
    index += 1
  }
  event(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: turn.stop, stop_sequence: null }, usage: { output_tokens: usage.output } })
  event(res, 'message_stop', { type: 'message_stop' })
  res.end()
}

async function handle(script: ProviderScript, req: RecordedRequest, res: ServerResponse): Promise<void> {
  switch (script.kind) {
    case 'reply':
    case 'tool-calls': {
      const turn = turnOf(script)
      const usage = usageOf(script, promptOf(req), turn.text + turn.calls.map((c) => JSON.stringify(c.args)).join(' '))
      if (req.stream) return streamTurn(res, req, turn, usage, script.chunkDelayMs)
      return json(res, 200, message(req, turn, usage), { 'request-id': fakeId('req_') })
    }
    case 'status':
      return json(res, script.status, { type: 'error', error: { type: ERROR_TYPES[script.status] ?? 'api_error', message: script.message ?? `fake status ${script.status}` } }, retryAfter(script))
    case 'error-mid-stream':
      if (!req.stream) return halfABody(res, message(req, turnOf({ kind: 'reply', text: script.text }), { input: 1, output: 1 }))
      startStream(res, req, 1)
      await streamTextBlock(res, 0, script.text)
      event(res, 'error', { type: 'error', error: { type: script.errorType ?? 'overloaded_error', message: 'Overloaded' } })
      res.end()
      return
    case 'hang':
      if (req.stream) {
        startStream(res, req, 1)
        await streamTextBlock(res, 0, script.text ?? '')
      }
      return // never ends; the client must give up
    case 'hang-before-headers':
      return
    case 'cut':
      if (!req.stream) return halfABody(res, message(req, turnOf({ kind: 'reply', text: script.text }), { input: 1, output: 1 }))
      startStream(res, req, 1)
      await streamTextBlock(res, 0, script.text)
      await flushed(res)
      res.destroy()
      return
  }
}

/** tool_result blocks in the user turns of the request. */
function toolResults(body: any): ToolResultSeen[] {
  const seen: ToolResultSeen[] = []
  for (const m of body?.messages ?? []) {
    if (m?.role !== 'user' || !Array.isArray(m.content)) continue
    for (const block of m.content) {
      if (block?.type !== 'tool_result') continue
      const content = Array.isArray(block.content) ? textOf(block.content) : block.content
      seen.push({ callId: block.tool_use_id, output: parseMaybeJson(content), ...(block.is_error ? { isError: true } : {}) })
    }
  }
  return seen
}

export function startFakeAnthropic(opts: { apiKey?: string } = {}): Promise<FakeProvider> {
  const apiKey = opts.apiKey ?? 'sk-ant-test'
  return startFakeProvider({
    route: (method, path) => method === 'POST' && path === '/v1/messages',
    authorize: (req) => {
      if (req.headers['x-api-key'] !== apiKey) return { status: 401, message: 'invalid x-api-key' }
      if (!req.headers['anthropic-version']) return { status: 400, message: 'anthropic-version: header is required' }
      return null
    },
    unauthorized: (res, { status, message }) => json(res, status, { type: 'error', error: { type: ERROR_TYPES[status], message } }),
    notFound: (res) => json(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'Not Found' } }),
    isStream: (_path, body) => body?.stream === true,
    handle,
    defaultReply: (req) => `Fake Claude heard: ${textOf(req.body?.messages?.at(-1)?.content)}`,
    toolResults: (req) => toolResults(req.body),
    toolNames: (req) => (req.body?.tools ?? []).map((t: any) => t?.name),
  })
}
