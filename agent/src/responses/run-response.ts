// One response of the Responses API: drive the tool loop, build the output items, keep the response (with store),
// and yield the documented stream events in order. The JSON path reads the same events and returns the last.
import type { ModelMessage, ToolCallPart, TextPart } from 'ai'
import { createConversation, insertMessage, touchConversation } from '../db/conversation-queries.ts'
import type { TenantDb } from '../db/tenant-db.ts'
import type { LoopEvent, TurnUsage } from '../chat/tool-loop.ts'
import { describeFailure } from '../chat/turn.ts'
import { insertResponse } from './response-queries.ts'
import { newId, outputText, responseObject } from './response-object.ts'
import type { FunctionCallItem, MessageItem, ResponseView } from './response-object.ts'
import type { ResponseRequest } from './response-request.ts'

/** A stream event before its sequence number is added. */
export type ResponseEvent = { type: string } & Record<string, unknown>

export interface ResponseRun {
  req: ResponseRequest
  /** Echoed as the response's `model`. */
  model: string
  store: boolean
  agentId: string
  /** Who the response and its conversation belong to (the chain's owner when it continues one). */
  principal: string | null
  /** The conversation a continued chain lives in; null starts one (with store). */
  conversationId: string | null
  /** The model messages of this turn's input (the chain before it aside). */
  input: ModelMessage[]
  userText: string | null
  /** The names of the client's own tools: a call of one goes back to the client as a function_call item. */
  clientTools: ReadonlySet<string>
  loop(signal: AbortSignal): AsyncGenerator<LoopEvent>
  recordUsage(usage: TurnUsage): void
}

const INCOMPLETE_TITLE = 'New response'

export async function* runResponse(db: TenantDb, run: ResponseRun, signal: AbortSignal): AsyncGenerator<ResponseEvent> {
  const view: ResponseView = {
    id: newId('resp'), createdAt: Math.floor(Date.now() / 1000), model: run.model, req: run.req,
    status: 'in_progress', output: [], usage: null, error: null, incomplete: null, store: run.store,
  }
  yield { type: 'response.created', response: responseObject(view) }
  yield { type: 'response.in_progress', response: responseObject(view) }

  let message: MessageItem | null = null
  let text = ''
  const calls: FunctionCallItem[] = []
  const closeMessage = function* (): Generator<ResponseEvent> {
    if (!message) return
    const index = view.output.indexOf(message)
    const part = message.content[0]!
    yield { type: 'response.output_text.done', item_id: message.id, output_index: index, content_index: 0, text: part.text, logprobs: [] }
    yield { type: 'response.content_part.done', item_id: message.id, output_index: index, content_index: 0, part }
    message.status = 'completed'
    yield { type: 'response.output_item.done', output_index: index, item: message }
    message = null
  }

  let outcome: Extract<LoopEvent, { type: 'finish' | 'failure' }> | null = null
  for await (const event of run.loop(signal)) {
    if (event.type === 'delta') {
      if (!message) {
        message = { type: 'message', id: newId('msg'), status: 'in_progress', role: 'assistant', content: [] }
        view.output.push(message)
        const index = view.output.length - 1
        yield { type: 'response.output_item.added', output_index: index, item: { ...message, content: [] } }
        const part = outputText('')
        yield { type: 'response.content_part.added', item_id: message.id, output_index: index, content_index: 0, part: { ...part } }
        message.content.push(part)
      }
      message.content[0]!.text += event.text
      text += event.text
      yield { type: 'response.output_text.delta', item_id: message.id, output_index: view.output.indexOf(message), content_index: 0, delta: event.text, logprobs: [] }
    } else if (event.type === 'tool-call' && run.clientTools.has(event.name)) {
      yield* closeMessage()
      const args = JSON.stringify(event.args ?? {})
      const item: FunctionCallItem = { type: 'function_call', id: newId('fc'), call_id: event.id, name: event.name, arguments: args, status: 'completed' }
      view.output.push(item)
      calls.push(item)
      const index = view.output.length - 1
      yield { type: 'response.output_item.added', output_index: index, item: { ...item, arguments: '', status: 'in_progress' } }
      yield { type: 'response.function_call_arguments.delta', item_id: item.id, output_index: index, delta: args }
      yield { type: 'response.function_call_arguments.done', item_id: item.id, output_index: index, name: item.name, arguments: args }
      yield { type: 'response.output_item.done', output_index: index, item }
    } else if (event.type === 'finish' || event.type === 'failure') {
      outcome = event
    }
  }
  yield* closeMessage()
  if (!outcome) throw new Error('the tool loop ended without finish or failure')
  run.recordUsage(outcome.usage)
  view.usage = outcome.usage
  if (outcome.type === 'failure') {
    view.status = 'failed'
    view.error = describeFailure(outcome.error, signal)
  } else if (outcome.finishReason === 'length') {
    view.status = 'incomplete'
    view.incomplete = 'max_output_tokens'
  } else {
    view.status = 'completed'
  }
  for (const item of view.output) if (item.type === 'message' && view.status !== 'completed') item.status = 'incomplete'
  const body = responseObject(view)
  // Kept before the client hears it is done: a retrieve or a follow-up right after must find it.
  if (run.store) await keep(db, run, view.id, body, replyMessages(text, calls), text, view.status)
  yield { type: view.status === 'failed' ? 'response.failed' : view.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response: body }
}

/** The reply as the model will see it when the chain continues: its text, then the client tool calls it made. */
function replyMessages(text: string, calls: readonly FunctionCallItem[]): ModelMessage[] {
  if (calls.length === 0) return text ? [{ role: 'assistant', content: text }] : []
  const parts: Array<TextPart | ToolCallPart> = text ? [{ type: 'text', text }] : []
  for (const c of calls) parts.push({ type: 'tool-call', toolCallId: c.call_id, toolName: c.name, input: JSON.parse(c.arguments) as unknown })
  return [{ role: 'assistant', content: parts }]
}

async function keep(db: TenantDb, run: ResponseRun, id: string, body: Record<string, unknown>, reply: ModelMessage[], text: string, status: string): Promise<void> {
  const conversationId = run.conversationId ?? (await createConversation(db, run.agentId, run.principal, run.userText ?? INCOMPLETE_TITLE)).id
  // The conversation shows the dialogue as text, like a chat; the response row keeps the model's view of it.
  if (run.userText !== null) await insertMessage(db, { conversationId, role: 'user', content: run.userText })
  const usage = body.usage as { input_tokens: number; output_tokens: number } | null
  if (text !== '' || status !== 'completed') {
    await insertMessage(db, {
      conversationId, role: 'assistant', content: text,
      status: status === 'failed' ? 'error' : 'complete', errorCode: status === 'failed' ? String((body.error as { code: string }).code) : null,
      tokensIn: usage?.input_tokens ?? 0, tokensOut: usage?.output_tokens ?? 0,
    })
  }
  await touchConversation(db, conversationId)
  await insertResponse(db, {
    id, agentId: run.agentId, principal: run.principal, conversationId,
    previousResponseId: run.req.previous_response_id ?? null, turn: [...run.input, ...reply], body,
  })
}
