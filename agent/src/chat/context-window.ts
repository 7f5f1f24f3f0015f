// Fits a conversation into the model's window by one stated rule:
//   the system prompt, the new message and room for the reply are always kept; then whole earlier turns are kept
//   newest first while they fit; the oldest turns that do not fit are dropped as whole turns (never cut mid-message)
//   and replaced by a short note naming how many turns were left out and quoting the start of their user messages.
import { estimateTokens, messageTokens } from '../providers/types.ts'
import type { PromptMessage } from '../providers/types.ts'

/** How much of each dropped user message the note quotes (characters). */
const NOTE_QUOTE_CHARS = 80
/** The note quotes at most this many dropped turns, newest first. */
const NOTE_MAX_QUOTES = 5

export interface FittedContext {
  messages: PromptMessage[]
  /** A note for the system prompt when turns were dropped, else null. */
  earlierNote: string | null
  droppedTurns: number
}

/** Groups history into turns: a user message and the assistant replies that follow it. */
export function groupTurns(history: PromptMessage[]): PromptMessage[][] {
  const turns: PromptMessage[][] = []
  for (const message of history) {
    if (message.role === 'user' || turns.length === 0) turns.push([message])
    else turns.at(-1)!.push(message)
  }
  return turns
}

export function fitContext(opts: {
  history: PromptMessage[]
  newMessage: PromptMessage
  systemTokens: number
  windowTokens: number
  reserveForReplyTokens: number
}): FittedContext {
  const turns = groupTurns(opts.history)
  const noteBudget = estimateTokens('x'.repeat(NOTE_QUOTE_CHARS * NOTE_MAX_QUOTES + 120))
  let budget = opts.windowTokens - opts.reserveForReplyTokens - opts.systemTokens - estimateTokens(opts.newMessage.content)
  const kept: PromptMessage[][] = []
  let i = turns.length - 1
  for (; i >= 0; i--) {
    const cost = turns[i]!.reduce((n, m) => n + messageTokens(m), 0)
    // Once anything must be dropped, the note needs room too.
    const needed = i > 0 ? cost + noteBudget : cost
    if (needed > budget) break
    budget -= cost
    kept.unshift(turns[i]!)
  }
  const dropped = turns.slice(0, i + 1)
  const messages = [...kept.flat(), opts.newMessage]
  if (dropped.length === 0) return { messages, earlierNote: null, droppedTurns: 0 }
  const quotes = dropped.slice(-NOTE_MAX_QUOTES).map((t) => t[0]!).filter((m) => m.role === 'user')
    .map((m) => `"${m.content.replace(/\s+/g, ' ').slice(0, NOTE_QUOTE_CHARS)}${m.content.length > NOTE_QUOTE_CHARS ? '…' : ''}"`)
  const earlierNote = `Earlier in this conversation ${dropped.length} turn(s) were left out to fit the context window.`
    + (quotes.length ? ` The most recent of them began: ${quotes.join('; ')}.` : '')
  return { messages, earlierNote, droppedTurns: dropped.length }
}
