// The Responses API's objects as OpenAI's clients read them: the response, its output items, its usage.
// `output_text` is left out on purpose: it is a convenience the official SDKs compute from `output`.
import { randomBytes } from 'node:crypto'
import type { TurnUsage } from '../chat/tool-loop.ts'
import type { ResponseRequest } from './response-request.ts'

export const newId = (prefix: 'resp' | 'msg' | 'fc') => `${prefix}_${randomBytes(24).toString('hex')}`

export type OutputText = { type: 'output_text'; text: string; annotations: never[]; logprobs: never[] }
export type MessageItem = { type: 'message'; id: string; status: 'in_progress' | 'completed' | 'incomplete'; role: 'assistant'; content: OutputText[] }
export type FunctionCallItem = { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: 'in_progress' | 'completed' }
export type OutputItem = MessageItem | FunctionCallItem

export type ResponseStatus = 'in_progress' | 'completed' | 'failed' | 'incomplete'

export const outputText = (text: string): OutputText => ({ type: 'output_text', text, annotations: [], logprobs: [] })

export function responseUsage(u: TurnUsage) {
  return {
    input_tokens: u.inputTokens, input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.outputTokens, output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.inputTokens + u.outputTokens,
  }
}

export interface ResponseView {
  id: string
  createdAt: number
  model: string
  req: ResponseRequest
  status: ResponseStatus
  output: OutputItem[]
  usage: TurnUsage | null
  error: { code: string; message: string } | null
  incomplete: string | null
  store: boolean
}

/** The response object, at any point of its life (the streamed `response.created` carries it in progress). */
export function responseObject(v: ResponseView): Record<string, unknown> {
  const { req } = v
  return {
    id: v.id, object: 'response', created_at: v.createdAt, status: v.status,
    background: false,
    error: v.error, incomplete_details: v.incomplete ? { reason: v.incomplete } : null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    metadata: req.metadata ?? {},
    model: v.model,
    output: v.output,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: req.previous_response_id ?? null,
    store: v.store,
    temperature: req.temperature ?? null,
    text: { format: { type: 'text' } },
    tool_choice: req.tool_choice ?? 'auto',
    tools: (req.tools ?? []).map((t) => ({ type: 'function', name: t.name, description: t.description ?? null, parameters: t.parameters ?? null, strict: t.strict ?? null })),
    top_p: req.top_p ?? null,
    truncation: 'disabled',
    usage: v.usage ? responseUsage(v.usage) : null,
    user: req.user ?? null,
  }
}
