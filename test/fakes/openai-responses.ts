// OpenAI's Responses API (POST /v1/responses), the default model of @ai-sdk/openai: SSE events response.created,
// response.in_progress, output_item.added (message | function_call), content_part / output_text deltas,
// function_call_arguments.delta/.done, output_item.done, response.completed with usage; or one response object.
import type { ServerResponse } from 'node:http'
import { fakeId, flushed, fragments, halfABody, json, parseMaybeJson, sleep, tokens, usageOf } from './provider-script.ts'
import type { ProviderScript, RecordedRequest, ScriptedToolCall, ToolResultSeen } from './provider-script.ts'
import { openAiError } from './openai-error.ts'

type Item = Record<string, unknown>

/** The text of the last user input, for the default echo. */
export function lastResponsesInput(body: any): string {
  const input = body?.input
  if (typeof input === 'string') return input
  const user = (Array.isArray(input) ? input : []).filter((i: any) => i?.role === 'user').at(-1)
  if (typeof user?.content === 'string') return user.content
  return (user?.content ?? []).filter((p: any) => p?.type === 'input_text').map((p: any) => String(p.text)).join('')
}

interface Turn { text: string; calls: Array<Required<ScriptedToolCall>> }

function turnOf(script: Extract<ProviderScript, { kind: 'reply' | 'tool-calls' }>): Turn {
  if (script.kind === 'reply') return { text: script.text, calls: [] }
  return { text: script.text ?? '', calls: script.calls.map((c) => ({ ...c, id: c.id ?? fakeId('call_') })) }
}

const messageItem = (id: string, text: string, status: 'in_progress' | 'completed'): Item => ({
  id, type: 'message', status, role: 'assistant',
  content: status === 'completed' ? [{ type: 'output_text', annotations: [], logprobs: [], text }] : [],
})

const callItem = (id: string, call: Required<ScriptedToolCall>, status: 'in_progress' | 'completed'): Item => ({
  id, type: 'function_call', status, arguments: status === 'completed' ? JSON.stringify(call.args) : '', call_id: call.id, name: call.name,
})

function responseObject(req: RecordedRequest, id: string, createdAt: number, status: string, output: Item[], usage: { input: number; output: number } | null) {
  return {
    id, object: 'response', created_at: createdAt, status, error: null, incomplete_details: null,
    instructions: req.body?.instructions ?? null, model: req.body?.model, output, parallel_tool_calls: true,
    previous_response_id: req.body?.previous_response_id ?? null, store: req.body?.store ?? true,
    tools: req.body?.tools ?? [], text: { format: req.body?.text?.format ?? { type: 'text' } },
    usage: usage && {
      input_tokens: usage.input, input_tokens_details: { cached_tokens: 0 },
      output_tokens: usage.output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: usage.input + usage.output,
    },
  }
}

/** The whole turn as the items it outputs, with their ids. */
function outputOf(turn: Turn): Item[] {
  const items: Item[] = []
  if (turn.text || turn.calls.length === 0) items.push(messageItem(fakeId('msg_'), turn.text, 'completed'))
  for (const call of turn.calls) items.push(callItem(fakeId('fc_'), call, 'completed'))
  return items
}

function emitter(res: ServerResponse) {
  let sequence = 0
  return (type: string, fields: Record<string, unknown>) => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`)
  }
}

async function streamMessage(emit: ReturnType<typeof emitter>, outputIndex: number, text: string, delayMs = 0, finish = true): Promise<Item> {
  const id = fakeId('msg_')
  emit('response.output_item.added', { output_index: outputIndex, item: messageItem(id, '', 'in_progress') })
  emit('response.content_part.added', { item_id: id, output_index: outputIndex, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } })
  for (const part of tokens(text)) {
    if (delayMs) await sleep(delayMs)
    emit('response.output_text.delta', { item_id: id, output_index: outputIndex, content_index: 0, delta: part, logprobs: [] })
  }
  const done = messageItem(id, text, 'completed')
  if (finish) {
    emit('response.output_text.done', { item_id: id, output_index: outputIndex, content_index: 0, text, logprobs: [] })
    emit('response.content_part.done', { item_id: id, output_index: outputIndex, content_index: 0, part: (done.content as unknown[])[0] })
    emit('response.output_item.done', { output_index: outputIndex, item: done })
  }
  return done
}

function begin(res: ServerResponse, req: RecordedRequest) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': fakeId('req_') })
  const emit = emitter(res)
  const id = fakeId('resp_')
  const createdAt = Math.floor(Date.now() / 1000)
  emit('response.created', { response: responseObject(req, id, createdAt, 'in_progress', [], null) })
  emit('response.in_progress', { response: responseObject(req, id, createdAt, 'in_progress', [], null) })
  return { emit, id, createdAt }
}

async function streamTurn(res: ServerResponse, req: RecordedRequest, turn: Turn, usage: { input: number; output: number }, delayMs = 0): Promise<void> {
  const { emit, id, createdAt } = begin(res, req)
  const output: Item[] = []
  if (turn.text || turn.calls.length === 0) output.push(await streamMessage(emit, 0, turn.text, delayMs))
  for (const call of turn.calls) {
    const itemId = fakeId('fc_')
    const outputIndex = output.length
    emit('response.output_item.added', { output_index: outputIndex, item: callItem(itemId, call, 'in_progress') })
    for (const piece of fragments(JSON.stringify(call.args))) {
      if (delayMs) await sleep(delayMs)
      emit('response.function_call_arguments.delta', { item_id: itemId, output_index: outputIndex, delta: piece })
    }
    emit('response.function_call_arguments.done', { item_id: itemId, output_index: outputIndex, arguments: JSON.stringify(call.args) })
    const done = callItem(itemId, call, 'completed')
    emit('response.output_item.done', { output_index: outputIndex, item: done })
    output.push(done)
  }
  emit('response.completed', { response: responseObject(req, id, createdAt, 'completed', output, usage) })
  res.end()
}

export async function handleResponses(script: ProviderScript, req: RecordedRequest, res: ServerResponse): Promise<void> {
  switch (script.kind) {
    case 'reply':
    case 'tool-calls': {
      const turn = turnOf(script)
      const usage = usageOf(script, { input: req.body?.input, instructions: req.body?.instructions, tools: req.body?.tools }, turn.text + turn.calls.map((c) => JSON.stringify(c.args)).join(' '))
      if (req.stream) return streamTurn(res, req, turn, usage, script.chunkDelayMs)
      return json(res, 200, responseObject(req, fakeId('resp_'), Math.floor(Date.now() / 1000), 'completed', outputOf(turn), usage))
    }
    case 'status':
      return openAiError(res, script)
    case 'error-mid-stream': {
      if (!req.stream) return halfABody(res, responseObject(req, fakeId('resp_'), 0, 'completed', outputOf({ text: script.text, calls: [] }), { input: 1, output: 1 }))
      const { emit } = begin(res, req)
      await streamMessage(emit, 0, script.text, 0, false)
      // The documented ResponseErrorEvent: code, message and param at the top level.
      emit('error', { code: script.errorType ?? 'server_error', message: 'The server had an error while processing your request.', param: null })
      res.end()
      return
    }
    case 'hang':
      if (req.stream) await streamMessage(begin(res, req).emit, 0, script.text ?? '', 0, false)
      return
    case 'hang-before-headers':
      return
    case 'cut':
      if (!req.stream) return halfABody(res, responseObject(req, fakeId('resp_'), 0, 'completed', outputOf({ text: script.text, calls: [] }), { input: 1, output: 1 }))
      await streamMessage(begin(res, req).emit, 0, script.text, 0, false)
      await flushed(res)
      res.destroy()
      return
  }
}

// A function_call_output's output is a string, or a list of content parts (input_text, input_image, …).
const outputText = (parts: any[]) => parts.filter((p) => p?.type === 'input_text').map((p) => String(p.text)).join('')

/** function_call_output input items: each answers one call_id. */
export function responsesToolResults(body: any): ToolResultSeen[] {
  return (Array.isArray(body?.input) ? body.input : [])
    .filter((i: any) => i?.type === 'function_call_output')
    .map((i: any) => ({ callId: i.call_id, output: parseMaybeJson(Array.isArray(i.output) ? outputText(i.output) : i.output) }))
}

export const responsesToolNames = (body: any): string[] =>
  (body?.tools ?? []).filter((t: any) => t?.type === 'function').map((t: any) => t.name)
