// Validation of OpenAI Chat Completions requests: the fields OpenAI clients send (tools, tool_choice, tool messages,
// assistant tool_calls, response_format included), refused with OpenAI-style 400s naming the parameter.
import type { ModelMessage } from 'ai'
import { z } from 'zod'
import type { PromptMessage } from '../providers/types.ts'
import type { ResponseFormat } from './tool-loop.ts'
import { ProblemError } from '../../../wire/problem.ts'

const textPart = z.object({ type: z.literal('text'), text: z.string() })
const content = z.union([z.string(), z.array(textPart)]).nullable()

/** OpenAI's own rule for function names. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/
/** Tools one request may offer (OpenAI's own limit). */
const MAX_CLIENT_TOOLS = 128

const jsonObject = z.record(z.string(), z.unknown())

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().regex(FUNCTION_NAME, 'must be 1-64 of a-z, A-Z, 0-9, _ and -'), arguments: z.string() }),
})

const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(FUNCTION_NAME, 'must be 1-64 of a-z, A-Z, 0-9, _ and -'),
    description: z.string().optional(),
    parameters: jsonObject.optional(),
    strict: z.boolean().nullable().optional(),
  }),
})

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
])

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({ name: z.string().min(1), description: z.string().optional(), schema: jsonObject.optional(), strict: z.boolean().nullable().optional() }),
  }),
])

export const chatCompletionSchema = z.object({
  model: z.string().min(1),
  messages: z.array(z.object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content,
    name: z.string().optional(),
    tool_calls: z.array(toolCall).nullable().optional(),
    tool_call_id: z.string().optional(),
  }).loose()).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_tokens: z.number().int().min(1).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  n: z.literal(1).nullable().optional(),
  user: z.string().optional(),
  tools: z.array(functionTool).max(MAX_CLIENT_TOOLS).nullable().optional(),
  tool_choice: toolChoice.nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  response_format: responseFormat.nullable().optional(),
}).loose()

export type ChatCompletionRequest = z.infer<typeof chatCompletionSchema>
export type ClientTool = z.infer<typeof functionTool>['function']

function invalid(param: string, detail: string): ProblemError {
  return new ProblemError({ status: 400, code: 'invalid_value', title: 'Invalid request', detail, extensions: { param } })
}

export function parseChatCompletion(body: unknown): ChatCompletionRequest {
  const parsed = chatCompletionSchema.safeParse(body)
  if (parsed.success) {
    checkToolReferences(parsed.data)
    return parsed.data
  }
  const issue = parsed.error.issues[0]!
  const param = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || null
  const message = issue.path[0] === 'n' ? 'Only n=1 is supported.' : `Invalid value for '${param ?? 'body'}': ${issue.message}`
  throw new ProblemError({
    status: 400, code: issue.code === 'invalid_type' && issue.input === undefined ? 'missing_required_parameter' : 'invalid_value',
    title: 'Invalid request', detail: message, ...(param ? { extensions: { param } } : {}),
  })
}

/** What the schema cannot say: tool names unique, tool_choice naming an offered tool, each tool message answering a call. */
function checkToolReferences(req: ChatCompletionRequest): void {
  const names = new Set<string>()
  for (const [i, t] of (req.tools ?? []).entries()) {
    if (names.has(t.function.name)) throw invalid(`tools[${i}].function.name`, `Tool names must be unique; '${t.function.name}' appears twice.`)
    names.add(t.function.name)
  }
  const choice = req.tool_choice
  if (choice && typeof choice === 'object' && !names.has(choice.function.name)) {
    throw invalid('tool_choice', `tool_choice names '${choice.function.name}', which is not among the request's tools.`)
  }
  const calls = new Set<string>()
  for (const [i, m] of req.messages.entries()) {
    for (const c of m.tool_calls ?? []) calls.add(c.id)
    if (m.role !== 'tool') continue
    if (!m.tool_call_id) throw invalid(`messages[${i}].tool_call_id`, "A 'tool' message must carry the tool_call_id it answers.")
    if (!calls.has(m.tool_call_id)) throw invalid(`messages[${i}].tool_call_id`, `No earlier assistant message has a tool call '${m.tool_call_id}'.`)
  }
}

export function textOf(c: z.infer<typeof content>): string {
  if (c === null) return ''
  return typeof c === 'string' ? c : c.map((p) => p.text).join('')
}

function parseArguments(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    // A model's malformed arguments are passed back as the text they were; the model sees what it sent.
    return raw
  }
}

/**
 * Splits the client's messages into extra system text and the dialogue: `plain` (text only, what the context window
 * counts) and `messages` (for the model, tool calls and results included). `usesTools` says whether they differ.
 */
export function toPrompt(req: ChatCompletionRequest): { clientSystem: string; dialogue: PromptMessage[]; messages: ModelMessage[]; usesTools: boolean } {
  const system: string[] = []
  const dialogue: PromptMessage[] = []
  const messages: ModelMessage[] = []
  const callNames = new Map<string, string>()
  let usesTools = false
  for (const m of req.messages) {
    const text = textOf(m.content)
    if (m.role === 'system' || m.role === 'developer') system.push(text)
    else if (m.role === 'user') {
      dialogue.push({ role: 'user', content: text })
      messages.push({ role: 'user', content: text })
    } else if (m.role === 'assistant') {
      dialogue.push({ role: 'assistant', content: text })
      const calls = m.tool_calls ?? []
      if (calls.length === 0) {
        messages.push({ role: 'assistant', content: text })
        continue
      }
      usesTools = true
      for (const c of calls) callNames.set(c.id, c.function.name)
      messages.push({
        role: 'assistant',
        content: [
          ...(text ? [{ type: 'text' as const, text }] : []),
          ...calls.map((c) => ({ type: 'tool-call' as const, toolCallId: c.id, toolName: c.function.name, input: parseArguments(c.function.arguments) })),
        ],
      })
    } else {
      usesTools = true
      const id = m.tool_call_id!
      messages.push({ role: 'tool', content: [{ type: 'tool-result', toolCallId: id, toolName: callNames.get(id) ?? 'unknown', output: { type: 'text', value: text } }] })
    }
  }
  return { clientSystem: system.join('\n\n'), dialogue, messages, usesTools }
}

/** response_format as the tool loop takes it; null for plain text. */
export function responseFormatOf(req: ChatCompletionRequest): ResponseFormat | undefined {
  const f = req.response_format
  if (!f || f.type === 'text') return undefined
  if (f.type === 'json_object') return { type: 'json_object' }
  return {
    type: 'json_schema', name: f.json_schema.name, schema: f.json_schema.schema ?? { type: 'object' },
    ...(f.json_schema.description ? { description: f.json_schema.description } : {}),
  }
}
