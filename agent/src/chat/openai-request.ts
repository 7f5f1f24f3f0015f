// Validation of OpenAI Chat Completions requests: the fields OpenAI clients send, refused with OpenAI-style 400s.
import { z } from 'zod'
import type { PromptMessage } from '../providers/types.ts'
import { ProblemError } from '../../../wire/problem.ts'

const textPart = z.object({ type: z.literal('text'), text: z.string() })
const content = z.union([z.string(), z.array(textPart)]).nullable()

export const chatCompletionSchema = z.object({
  model: z.string().min(1),
  messages: z.array(z.object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content,
    name: z.string().optional(),
  }).loose()).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_tokens: z.number().int().min(1).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  n: z.literal(1).nullable().optional(),
  user: z.string().optional(),
}).loose()

export type ChatCompletionRequest = z.infer<typeof chatCompletionSchema>

export function parseChatCompletion(body: unknown): ChatCompletionRequest {
  const parsed = chatCompletionSchema.safeParse(body)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const param = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || null
  const message = issue.path[0] === 'n' ? 'Only n=1 is supported.' : `Invalid value for '${param ?? 'body'}': ${issue.message}`
  throw new ProblemError({
    status: 400, code: issue.code === 'invalid_type' && issue.input === undefined ? 'missing_required_parameter' : 'invalid_value',
    title: 'Invalid request', detail: message, ...(param ? { extensions: { param } } : {}),
  })
}

export function textOf(c: z.infer<typeof content>): string {
  if (c === null) return ''
  return typeof c === 'string' ? c : c.map((p) => p.text).join('')
}

/** Splits the client's messages into extra system text and the dialogue the model sees. */
export function toPrompt(req: ChatCompletionRequest): { clientSystem: string; dialogue: PromptMessage[] } {
  const system: string[] = []
  const dialogue: PromptMessage[] = []
  for (const m of req.messages) {
    const text = textOf(m.content)
    if (m.role === 'system' || m.role === 'developer') system.push(text)
    else if (m.role === 'assistant') dialogue.push({ role: 'assistant', content: text })
    else if (m.role === 'user') dialogue.push({ role: 'user', content: text })
    // Tool results are out of scope for a superfriend without tools; they are left out rather than misattributed.
  }
  return { clientSystem: system.join('\n\n'), dialogue }
}
