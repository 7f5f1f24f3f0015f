// The built-in `local` provider: offline, deterministic, for development and tests. Not a language model.
// Every reply starts with "[local dev model]" so nobody mistakes it for one; it echoes the message and what it remembers.
import { estimateTokens } from './types.ts'
import type { ModelEvent, ModelProvider, ModelRequest } from './types.ts'

export const LOCAL_REPLY_PREFIX = '[local dev model]'
/** Marks the memory section of the system prompt (chat/prompt.ts writes it); the local model reads it back. */
export const MEMORY_SECTION_HEADER = 'Things you remember about the user:'
const CONTEXT_WINDOW_TOKENS = 4_096
// Echoing more than this of a long message makes long replies without testing anything new.
const ECHO_MAX_CHARS = 200

export interface LocalProviderOptions {
  /** Pause between tokens (ms); 0 yields to the event loop between tokens without waiting. */
  tokenDelayMs?: number
  contextWindowTokens?: number
}

/** The reply the local model gives to a prompt: pure function of its input. */
export function localReply(req: Pick<ModelRequest, 'system' | 'messages'>): string {
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? ''
  const echo = lastUser.length > ECHO_MAX_CHARS ? `${lastUser.slice(0, ECHO_MAX_CHARS)}…` : lastUser
  const turn = req.messages.filter((m) => m.role === 'user').length
  const name = /^Your name is (.+?)\.$/m.exec(req.system)?.[1]
  let reply = `${LOCAL_REPLY_PREFIX}${name ? ` ${name} here.` : ''} You said: "${echo.replace(/\s+/g, ' ').trim()}".`
  const memoryAt = req.system.indexOf(MEMORY_SECTION_HEADER)
  if (memoryAt !== -1) {
    const facts = req.system.slice(memoryAt + MEMORY_SECTION_HEADER.length).split('\n')
      .map((l) => l.trim()).filter((l) => l.startsWith('- ')).map((l) => l.slice(2))
    if (facts.length > 0) reply += ` I remember: ${facts.join('; ')}.`
  }
  return `${reply} (turn ${turn})`
}

/** Splits text into word tokens, each carrying its leading whitespace, so joining them gives the text back. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? []
}

export function localProvider(opts: LocalProviderOptions = {}): ModelProvider {
  const delayMs = opts.tokenDelayMs ?? 0
  return {
    name: 'local',
    contextWindowTokens: () => opts.contextWindowTokens ?? CONTEXT_WINDOW_TOKENS,
    async *stream(req: ModelRequest): AsyncGenerator<ModelEvent> {
      const tokens = tokenize(localReply(req)).slice(0, req.maxOutputTokens)
      for (const token of tokens) {
        if (req.signal?.aborted) throw req.signal.reason ?? new Error('aborted')
        await new Promise((r) => (delayMs > 0 ? setTimeout(r, delayMs) : setImmediate(r)))
        yield { type: 'delta', text: token }
      }
      const inputTokens = estimateTokens(req.system) + req.messages.reduce((n, m) => n + estimateTokens(m.content), 0)
      yield { type: 'usage', inputTokens, outputTokens: tokens.length }
    },
  }
}
