// OpenAI Chat Completions (POST /v1/chat/completions), as OpenAI and the OpenAI-compatible servers (Ollama, vLLM,
// llama.cpp) speak it: `data: {chat.completion.chunk}` lines with tool_calls deltas (index, id, name, argument
// fragments), finish_reason, a usage chunk when stream_options.include_usage, `data: [DONE]`; or one chat.completion.
import type { ServerResponse } from 'node:http'
import { fakeId, flushed, fragments, halfABody, json, parseMaybeJson, sleep, tokens, usageOf } from './provider-script.ts'
import type { ProviderScript, RecordedRequest, ScriptedToolCall, ToolResultSeen } from './provider-script.ts'
import { openAiError } from './openai-error.ts'

function data(res: ServerResponse, payload: unknown): void {
  res.write(`data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`)
}

export function chatText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.filter((p) => p?.type === 'text').map((p) => String(p.text)).join('')
}

interface Turn { text: string; calls: Array<Required<ScriptedToolCall>>; finish: 'stop' | 'tool_calls' }

function turnOf(script: Extract<ProviderScript, { kind: 'reply' | 'tool-calls' }>): Turn {
  if (script.kind === 'reply') return { text: script.text, calls: [], finish: 'stop' }
  return { text: script.text ?? '', calls: script.calls.map((c) => ({ ...c, id: c.id ?? fakeId('call_') })), finish: 'tool_calls' }
}

const promptOf = (req: RecordedRequest) => ({ messages: req.body?.messages, tools: req.body?.tools })

function completion(req: RecordedRequest, turn: Turn, usage: { input: number; output: number }) {
  const toolCalls = turn.calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }))
  return {
    id: fakeId('chatcmpl-'), object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: req.body?.model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: turn.text || (toolCalls.length ? null : ''), refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
      logprobs: null, finish_reason: turn.finish,
    }],
    usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
  }
}

function chunker(req: RecordedRequest) {
  const includeUsage = req.body?.stream_options?.include_usage === true
  const base = { id: fakeId('chatcmpl-'), object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: req.body?.model }
  // With include_usage every chunk carries `usage: null` until the last one, which carries the counts and no choices.
  return (choice: unknown) => ({ ...base, choices: [choice], ...(includeUsage ? { usage: null } : {}) })
}

async function streamText(res: ServerResponse, req: RecordedRequest, text: string, delayMs = 0): Promise<ReturnType<typeof chunker>> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const chunk = chunker(req)
  data(res, chunk({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }))
  for (const part of tokens(text)) {
    if (delayMs) await sleep(delayMs)
    data(res, chunk({ index: 0, delta: { content: part }, logprobs: null, finish_reason: null }))
  }
  return chunk
}

async function streamTurn(res: ServerResponse, req: RecordedRequest, turn: Turn, usage: { input: number; output: number }, delayMs = 0): Promise<void> {
  const chunk = await streamText(res, req, turn.text, delayMs)
  for (const [index, call] of turn.calls.entries()) {
    // The first delta of a call names it and carries its id; the arguments follow in fragments under the same index.
    data(res, chunk({ index: 0, delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, logprobs: null, finish_reason: null }))
    for (const piece of fragments(JSON.stringify(call.args))) {
      if (delayMs) await sleep(delayMs)
      data(res, chunk({ index: 0, delta: { tool_calls: [{ index, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }))
    }
  }
  data(res, chunk({ index: 0, delta: {}, logprobs: null, finish_reason: turn.finish }))
  if (req.body?.stream_options?.include_usage) {
    const { choices: _none, ...base } = chunk(null)
    data(res, { ...base, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } })
  }
  data(res, '[DONE]')
  res.end()
}

export async function handleChat(script: ProviderScript, req: RecordedRequest, res: ServerResponse): Promise<void> {
  switch (script.kind) {
    case 'reply':
    case 'tool-calls': {
      const turn = turnOf(script)
      const usage = usageOf(script, promptOf(req), turn.text + turn.calls.map((c) => JSON.stringify(c.args)).join(' '))
      if (req.stream) return streamTurn(res, req, turn, usage, script.chunkDelayMs)
      return json(res, 200, completion(req, turn, usage))
    }
    case 'status':
      return openAiError(res, script)
    case 'error-mid-stream':
      if (!req.stream) return halfABody(res, completion(req, turnOf({ kind: 'reply', text: script.text }), { input: 1, output: 1 }))
      await streamText(res, req, script.text)
      data(res, { error: { message: 'The server had an error while processing your request.', type: script.errorType ?? 'server_error', param: null, code: null } })
      res.end()
      return
    case 'hang':
      if (req.stream) await streamText(res, req, script.text ?? '')
      return
    case 'hang-before-headers':
      return
    case 'cut':
      if (!req.stream) return halfABody(res, completion(req, turnOf({ kind: 'reply', text: script.text }), { input: 1, output: 1 }))
      await streamText(res, req, script.text)
      await flushed(res)
      res.destroy()
      return
  }
}

/** `tool` role messages: each answers one tool_call_id. */
export function chatToolResults(body: any): ToolResultSeen[] {
  return (body?.messages ?? [])
    .filter((m: any) => m?.role === 'tool')
    .map((m: any) => ({ callId: m.tool_call_id, output: parseMaybeJson(chatText(m.content)) }))
}

export const chatToolNames = (body: any): string[] => (body?.tools ?? []).map((t: any) => t?.function?.name)
