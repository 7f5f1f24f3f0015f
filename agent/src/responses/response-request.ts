// Validation of OpenAI Responses requests (POST /v1/responses): the fields the official clients and the AI SDK send,
// refused with OpenAI-style 400s naming the parameter; and the input items as the model messages of the AI SDK.
import type { ModelMessage } from 'ai'
import { z } from 'zod'
import { ProblemError } from '../../../wire/problem.ts'

/** OpenAI's own rule for function names. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/
/** Tools one request may offer (OpenAI's own limit). */
const MAX_CLIENT_TOOLS = 128

const textPart = z.object({ type: z.enum(['input_text', 'output_text']), text: z.string() })
const messageContent = z.union([z.string(), z.array(textPart)])

const messageItem = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: messageContent,
})
const functionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().regex(FUNCTION_NAME, 'must be 1-64 of a-z, A-Z, 0-9, _ and -'),
  arguments: z.string(),
})
const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(textPart)]),
})
// Unknown members (an item's id and status, a part's annotations) are dropped, not refused: clients replay output.
const inputItem = z.union([functionCallItem, functionCallOutputItem, messageItem])
type InputItem = z.infer<typeof inputItem>

const functionTool = z.object({
  type: z.literal('function'),
  name: z.string().regex(FUNCTION_NAME, 'must be 1-64 of a-z, A-Z, 0-9, _ and -'),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
}).loose()

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), name: z.string() }),
])

export const responseRequestSchema = z.object({
  // The agent's own model answers whatever is named; the name is echoed back.
  model: z.string().min(1).optional(),
  input: z.union([z.string(), z.array(inputItem).min(1)]),
  instructions: z.string().nullable().optional(),
  previous_response_id: z.string().min(1).nullable().optional(),
  store: z.boolean().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  tools: z.array(functionTool).max(MAX_CLIENT_TOOLS).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_output_tokens: z.number().int().min(1).nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  user: z.string().optional(),
}).loose()

export type ResponseRequest = z.infer<typeof responseRequestSchema>
export type ClientTool = z.infer<typeof functionTool>

function invalid(param: string, message: string, code = 'invalid_value'): ProblemError {
  return new ProblemError({ status: 400, code, title: 'Invalid request', detail: message, extensions: { param } })
}

function paramOf(path: ReadonlyArray<PropertyKey>): string | null {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || null
}

function valueAt(body: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let at: unknown = body
  for (const key of path) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined
  return at
}

export function parseResponseRequest(body: unknown): ResponseRequest {
  const parsed = responseRequestSchema.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const param = paramOf(issue.path)
    // Read from the body itself: zod's issues carry the failing input only when asked to.
    const missing = valueAt(body, issue.path) === undefined
    const message = issue.path[0] === 'tools'
      ? `Invalid value for '${param}': only function tools are supported (${issue.message}).`
      : `${missing ? 'Missing required parameter' : 'Invalid value for'} '${param ?? 'body'}'${missing ? '.' : `: ${issue.message}`}`
    throw new ProblemError({
      status: 400, code: missing ? 'missing_required_parameter' : 'invalid_value',
      title: 'Invalid request', detail: message, ...(param ? { extensions: { param } } : {}),
    })
  }
  const req = parsed.data
  const names = new Set<string>()
  for (const [i, t] of (req.tools ?? []).entries()) {
    if (names.has(t.name)) throw invalid(`tools[${i}].name`, `Tool names must be unique; '${t.name}' appears twice.`)
    names.add(t.name)
  }
  if (typeof req.tool_choice === 'object' && !names.has(req.tool_choice.name)) {
    throw invalid('tool_choice', `tool_choice names '${req.tool_choice.name}', which is not among the request's tools.`)
  }
  return req
}

const textOf = (content: string | ReadonlyArray<{ text: string }>) => (typeof content === 'string' ? content : content.map((p) => p.text).join(''))

function parseArguments(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    // Malformed arguments go back to the model as the text they were.
    return raw
  }
}

export interface ResponseInput {
  /** The client's system and developer items: added after the persona, like `instructions`. */
  clientSystem: string
  /** The input items as model messages (system items aside). */
  messages: ModelMessage[]
  /** The text of the last user message, if the input ends with one (memories and the stored conversation use it). */
  userText: string | null
  /** Whether any item is a function call or its output: such a prompt goes whole, never cut to the window. */
  usesTools: boolean
}

/**
 * The input as model messages. `knownCalls` maps the call ids of the chain so far to their function names: a
 * function_call_output must answer a call the model made (in the chain or in this input).
 */
export function toModelInput(req: ResponseRequest, knownCalls: ReadonlyMap<string, string>): ResponseInput {
  const items: InputItem[] = typeof req.input === 'string' ? [{ role: 'user', content: req.input }] : req.input
  const system: string[] = []
  const messages: ModelMessage[] = []
  const calls = new Map(knownCalls)
  let usesTools = false
  for (const [i, item] of items.entries()) {
    if (item.type === 'function_call') {
      usesTools = true
      calls.set(item.call_id, item.name)
      messages.push({ role: 'assistant', content: [{ type: 'tool-call', toolCallId: item.call_id, toolName: item.name, input: parseArguments(item.arguments) }] })
    } else if (item.type === 'function_call_output') {
      usesTools = true
      const name = calls.get(item.call_id)
      if (!name) throw invalid(`input[${i}].call_id`, `No function call with call_id '${item.call_id}' was found in this input or the previous response.`)
      messages.push({ role: 'tool', content: [{ type: 'tool-result', toolCallId: item.call_id, toolName: name, output: { type: 'text', value: textOf(item.output) } }] })
    } else if (item.role === 'system' || item.role === 'developer') {
      system.push(textOf(item.content))
    } else {
      messages.push({ role: item.role, content: textOf(item.content) })
    }
  }
  const last = items.at(-1)!
  const endsWithUser = last.type !== 'function_call' && last.type !== 'function_call_output' && last.role === 'user'
  if (!endsWithUser && last.type !== 'function_call_output') {
    throw invalid('input', 'The input must end with a user message or a function_call_output item.')
  }
  const userText = endsWithUser ? textOf(last.content) : null
  if (userText !== null && userText.trim() === '') throw invalid('input', 'The input must contain some text.')
  return { clientSystem: system.join('\n\n'), messages, userText, usesTools }
}

/** The call ids in `messages` and their function names: what a function_call_output may answer. */
export function callsIn(messages: readonly ModelMessage[]): Map<string, string> {
  const calls = new Map<string, string>()
  for (const m of messages) {
    if (m.role !== 'assistant' || typeof m.content === 'string') continue
    for (const part of m.content) if (part.type === 'tool-call') calls.set(part.toolCallId, part.toolName)
  }
  return calls
}
