// The built-in `local` model: offline, deterministic, for development and tests. Not a language model, and it says so:
// every reply starts with "[local dev model]". It is an AI SDK LanguageModelV4, so the whole tool loop runs on it.
// It echoes the message and what it remembers, and calls tools when a message asks in the form agent/README.md documents:
// a line `use <tool>` (a tool it was offered, no arguments) or `call <tool> <json>` (any name, the JSON as sent;
// `call <tool>.<action> {…}` adds `"action": "<action>"` to the object). After tool results it reports them.
import type {
  LanguageModelV4, LanguageModelV4CallOptions, LanguageModelV4GenerateResult, LanguageModelV4Prompt,
  LanguageModelV4StreamPart, LanguageModelV4StreamResult, LanguageModelV4Usage,
} from '@ai-sdk/provider'
import { estimateTokens } from './types.ts'
import type { PromptMessage } from './types.ts'

export const LOCAL_REPLY_PREFIX = '[local dev model]'
/** Marks the memory section of the system prompt (chat/prompt.ts writes it); the local model reads it back. */
export const MEMORY_SECTION_HEADER = 'Things you remember about the user:'
export const LOCAL_CONTEXT_WINDOW_TOKENS = 4_096
// Echoing more than this of a long message makes long replies without testing anything new.
const ECHO_MAX_CHARS = 200
// A tool result longer than this is cut in the reply: the reply shows the result arrived, not all of it.
const RESULT_MAX_CHARS = 300

const USE_LINE = /^\s*use\s+([A-Za-z][\w.-]*)\s*$/i
const CALL_LINE = /^\s*call\s+([A-Za-z][\w-]*)(?:\.([A-Za-z][\w-]*))?(?:\s+(.*\S))?\s*$/i

export interface LocalModelOptions {
  /** Pause between tokens (ms); 0 yields to the event loop between tokens without waiting. */
  tokenDelayMs?: number
}

/** A tool call the local model makes for a message line: the tool's name and its input as JSON text. */
export interface LocalToolCall { toolName: string; input: string }

/** The tool calls a message asks for, in order; `offered` decides which `use <tool>` lines count. */
export function requestedToolCalls(message: string, offered: ReadonlySet<string>): LocalToolCall[] {
  const calls: LocalToolCall[] = []
  for (const line of message.split('\n')) {
    const use = USE_LINE.exec(line)
    if (use && offered.has(use[1]!)) {
      calls.push({ toolName: use[1]!, input: '{}' })
      continue
    }
    const call = CALL_LINE.exec(line)
    if (!call) continue
    const [, toolName, action, raw] = call
    let input = raw ?? '{}'
    if (action) {
      try {
        const parsed: unknown = JSON.parse(input)
        // Bad JSON or a non-object stays as sent: the tool loop answers it with a validation error the model sees.
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) input = JSON.stringify({ action, ...parsed })
      } catch { /* left as sent */ }
    }
    calls.push({ toolName: toolName!, input })
  }
  return calls
}

/** The reply the local model gives to a plain dialogue: a pure function of its input. */
export function localReply(req: { system: string; messages: PromptMessage[] }): string {
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? ''
  const echo = lastUser.length > ECHO_MAX_CHARS ? `${lastUser.slice(0, ECHO_MAX_CHARS)}…` : lastUser
  let reply = `${greeting(req.system)} You said: "${echo.replace(/\s+/g, ' ').trim()}".`
  const facts = rememberedFacts(req.system)
  if (facts.length > 0) reply += ` I remember: ${facts.join('; ')}.`
  return `${reply} (turn ${req.messages.filter((m) => m.role === 'user').length})`
}

function greeting(system: string): string {
  const name = /^Your name is (.+?)\.$/m.exec(system)?.[1]
  return `${LOCAL_REPLY_PREFIX}${name ? ` ${name} here.` : ''}`
}

function rememberedFacts(system: string): string[] {
  const at = system.indexOf(MEMORY_SECTION_HEADER)
  if (at === -1) return []
  return system.slice(at + MEMORY_SECTION_HEADER.length).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('- ')).map((l) => l.slice(2))
}

/** Splits text into word tokens, each carrying its leading whitespace, so joining them gives the text back. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? []
}

const textOf = (parts: ReadonlyArray<{ type: string; text?: string }>) => parts.map((p) => (p.type === 'text' ? p.text ?? '' : '')).join('')

/** The SDK prompt as the plain dialogue the reply is written from (tool parts are not part of it). */
function dialogueOf(prompt: LanguageModelV4Prompt): { system: string; messages: PromptMessage[] } {
  const system: string[] = []
  const messages: PromptMessage[] = []
  for (const m of prompt) {
    if (m.role === 'system') system.push(m.content)
    else if (m.role === 'user') messages.push({ role: 'user', content: textOf(m.content) })
    else if (m.role === 'assistant') messages.push({ role: 'assistant', content: textOf(m.content) })
  }
  return { system: system.join('\n\n'), messages }
}

function cut(text: string): string {
  return text.length > RESULT_MAX_CHARS ? `${text.slice(0, RESULT_MAX_CHARS)}…` : text
}

/** After tool results: what each tool returned (or why it failed), so a test reads the round trip in the reply. */
function resultsReply(system: string, prompt: LanguageModelV4Prompt): string {
  const last = prompt.at(-1)
  const lines: string[] = []
  if (last?.role === 'tool') {
    for (const part of last.content) {
      if (part.type !== 'tool-result') continue
      const out = part.output
      if (out.type === 'error-text' || out.type === 'error-json') lines.push(`${part.toolName} failed: ${cut(typeof out.value === 'string' ? out.value : JSON.stringify(out.value))}`)
      else if (out.type === 'text') lines.push(`${part.toolName} returned ${cut(out.value)}`)
      else if (out.type === 'json') lines.push(`${part.toolName} returned ${cut(JSON.stringify(out.value))}`)
      else lines.push(`${part.toolName} gave no result`)
    }
  }
  return `${greeting(system)} ${lines.join('; ')}.`
}

function usage(inputTokens: number, outputTokens: number): LanguageModelV4Usage {
  return {
    inputTokens: { total: inputTokens, noCache: inputTokens, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: undefined },
  }
}

interface Plan { text: string; calls: LocalToolCall[] }

function plan(options: LanguageModelV4CallOptions): Plan {
  const { system, messages } = dialogueOf(options.prompt)
  if (options.prompt.at(-1)?.role === 'tool') return { text: resultsReply(system, options.prompt), calls: [] }
  const offered = new Set((options.tools ?? []).filter((t) => t.type === 'function').map((t) => t.name))
  const lastUser = messages.at(-1)?.role === 'user' ? messages.at(-1)!.content : ''
  const calls = options.toolChoice?.type === 'none' ? [] : requestedToolCalls(lastUser, offered)
  if (calls.length > 0) return { text: '', calls }
  return { text: localReply({ system, messages }), calls: [] }
}

function promptTokens(prompt: LanguageModelV4Prompt): number {
  return estimateTokens(JSON.stringify(prompt))
}

let callCounter = 0
const nextCallId = () => `local_call_${(++callCounter).toString(36)}`

export class LocalLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4' as const
  readonly provider = 'local'
  readonly modelId: string
  readonly supportedUrls = {}
  private readonly delayMs: number

  constructor(modelId = 'local-dev', opts: LocalModelOptions = {}) {
    this.modelId = modelId
    this.delayMs = opts.tokenDelayMs ?? 0
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { text, calls } = plan(options)
    const tokens = tokenize(text).slice(0, options.maxOutputTokens ?? Infinity)
    const content: LanguageModelV4GenerateResult['content'] = calls.length > 0
      ? calls.map((c) => ({ type: 'tool-call' as const, toolCallId: nextCallId(), toolName: c.toolName, input: c.input }))
      : [{ type: 'text' as const, text: tokens.join('') }]
    return {
      content,
      finishReason: { unified: calls.length > 0 ? 'tool-calls' : 'stop', raw: undefined },
      usage: usage(promptTokens(options.prompt), calls.length > 0 ? calls.length : tokens.length),
      warnings: [],
    }
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const { text, calls } = plan(options)
    const tokens = tokenize(text).slice(0, options.maxOutputTokens ?? Infinity)
    const delayMs = this.delayMs
    const signal = options.abortSignal
    const inputTokens = promptTokens(options.prompt)
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      async start(controller) {
        controller.enqueue({ type: 'stream-start', warnings: [] })
        if (calls.length > 0) {
          for (const c of calls) controller.enqueue({ type: 'tool-call', toolCallId: nextCallId(), toolName: c.toolName, input: c.input })
        } else {
          controller.enqueue({ type: 'text-start', id: 'text-0' })
          for (const token of tokens) {
            await new Promise((r) => (delayMs > 0 ? setTimeout(r, delayMs) : setImmediate(r)))
            if (signal?.aborted) {
              controller.error(signal.reason ?? new Error('aborted'))
              return
            }
            controller.enqueue({ type: 'text-delta', id: 'text-0', delta: token })
          }
          controller.enqueue({ type: 'text-end', id: 'text-0' })
        }
        controller.enqueue({
          type: 'finish', finishReason: { unified: calls.length > 0 ? 'tool-calls' : 'stop', raw: undefined },
          usage: usage(inputTokens, calls.length > 0 ? calls.length : tokens.length),
        })
        controller.close()
      },
    })
    return { stream }
  }
}

/**
 * The local model's reply as word tokens without the AI SDK around it: bench/agent.ts times the model's own cost
 * through this to subtract it from a turn's.
 */
export function localProvider(opts: LocalModelOptions = {}) {
  const delayMs = opts.tokenDelayMs ?? 0
  return {
    name: 'local',
    async *stream(req: { model?: string; system: string; messages: PromptMessage[]; maxOutputTokens: number }): AsyncGenerator<{ type: 'delta'; text: string } | { type: 'usage'; inputTokens: number; outputTokens: number }> {
      const tokens = tokenize(localReply(req)).slice(0, req.maxOutputTokens)
      for (const token of tokens) {
        await new Promise((r) => (delayMs > 0 ? setTimeout(r, delayMs) : setImmediate(r)))
        yield { type: 'delta', text: token }
      }
      yield { type: 'usage', inputTokens: estimateTokens(req.system) + req.messages.reduce((n, m) => n + estimateTokens(m.content), 0), outputTokens: tokens.length }
    },
  }
}
