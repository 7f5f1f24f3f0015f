// One chat turn, shared by POST /v1/chat (JSON and SSE) and the WebSocket: validate, store, prompt, stream, store.
// Validation happens in prepareTurn before anything is stored; run() yields the events every transport sends.
import { z } from 'zod'
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import { createConversation, findConversation, insertMessage, recentMessages, touchConversation } from '../db/conversation-queries.ts'
import { addMemory, recallMemories } from '../db/memory-queries.ts'
import type { TenantDb } from '../db/tenant-db.ts'
import { conversationScope, memoryHolder, type Caller } from '../http/caller.ts'
import type { Logger } from '../log.ts'
import { estimateTokens, ProviderError } from '../providers/types.ts'
import type { ModelProvider, PromptMessage } from '../providers/types.ts'
import { conversationNotFound } from '../routes/conversation-errors.ts'
import { fitContext } from './context-window.ts'
import { extractFact } from './memory-intent.ts'
import { systemPrompt } from './prompt.ts'
import { ProblemError } from '../../../wire/problem.ts'
import { context } from '@opentelemetry/api'
import { inStreamSpan } from '../../../wire/node-tracing.ts'
import { tracer } from '../telemetry/tracing.ts'

export type TurnUsage = { inputTokens: number; outputTokens: number }
export type TurnEvent =
  | { type: 'start'; conversationId: string }
  | { type: 'memory'; id: string; content: string }
  | { type: 'delta'; text: string }
  | { type: 'done'; conversationId: string; messageId: string; usage: TurnUsage }
  | { type: 'error'; conversationId: string; messageId: string; code: string; message: string; partial: string }

export interface TurnDeps {
  provider(config: RuntimeConfig): ModelProvider
  recordUsage(usage: TurnUsage): void
  maxMessageChars: number
  log: Logger
}

/** How much history is read before fitting it to the window (messages). */
const HISTORY_MAX_MESSAGES = 400
/** Memories recalled into each prompt, newest first. */
export const MEMORY_RECALL_LIMIT = 50
/** Reply length when the agent's config sets none (tokens). */
export const DEFAULT_MAX_OUTPUT_TOKENS = 1_024

export const chatRequestSchema = z.object({
  message: z.string({ error: 'message must be a string' }),
  conversationId: z.string().optional(),
})

/** Checks the message the way every transport must: empty is 422, over the limit is 413. */
export function checkMessage(message: string, maxChars: number): void {
  if (message.trim() === '') throw new ProblemError({
    status: 422, code: 'empty-message', title: 'Empty message',
    detail: 'The message must contain some text.',
  })
  if (message.length > maxChars) throw new ProblemError({
    status: 413, code: 'message-too-long', title: 'Message too long',
    detail: `A message may be at most ${maxChars} characters; this one has ${message.length}.`,
  })
}

export function parseChatRequest(body: unknown): z.infer<typeof chatRequestSchema> {
  const parsed = chatRequestSchema.safeParse(body)
  if (!parsed.success) throw new ProblemError({
    status: 400, code: 'invalid-request', title: 'Invalid request',
    detail: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
  })
  return parsed.data
}

export interface PreparedTurn {
  run(signal: AbortSignal): AsyncGenerator<TurnEvent>
}

/**
 * `caller` decides what the turn reaches: a conversation to continue must be one it may see (a guest: one it
 * started), a fact it asks to be remembered is kept where memoryHolder says, and the prompt recalls the agent-wide
 * memories plus the caller's own.
 */
export async function prepareTurn(deps: TurnDeps, agent: { config: RuntimeConfig; db: TenantDb }, caller: Caller, body: unknown): Promise<PreparedTurn> {
  const { message, conversationId } = parseChatRequest(body)
  checkMessage(message, deps.maxMessageChars)
  const { config, db } = agent
  const existing = conversationId !== undefined ? await findConversation(db, config.agentId, conversationScope(caller), conversationId) : null
  if (conversationId !== undefined && !existing) throw conversationNotFound()
  // The request's span, for the turn's: run() may be iterated later, inside a stream's callback.
  const parent = context.active()

  const turn: PreparedTurn = {
    async *run(signal) {
      const conversation = existing ?? (await createConversation(db, config.agentId, caller.owner, message))
      yield { type: 'start', conversationId: conversation.id }
      const fact = extractFact(message)
      const holder = fact ? memoryHolder(caller) : null
      if (fact && holder) {
        const memory = await addMemory(db, config.agentId, holder.principal, fact, 'user')
        yield { type: 'memory', id: memory.id, content: memory.content }
      }
      // Independent reads and the user-message write go out together: they are most of the time to first token.
      const [unordered, userRow, memoryRows] = await Promise.all([
        existing ? recentMessages(db, conversation.id, HISTORY_MAX_MESSAGES) : Promise.resolve([]),
        insertMessage(db, { conversationId: conversation.id, role: 'user', content: message }),
        recallMemories(db, config.agentId, caller.owner, MEMORY_RECALL_LIMIT),
      ])
      const memories = memoryRows.map((m) => m.content).reverse()
      // The read may or may not see the concurrent insert; history is what came before this message.
      const history = unordered.filter((m) => m.id < userRow.id)
      const prior: PromptMessage[] = history.filter((m) => m.content !== '').map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content }))

      const provider = deps.provider(config)
      const maxOutputTokens = config.model.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS
      const baseSystem = systemPrompt(config, memories, null)
      const fitted = fitContext({
        history: prior,
        newMessage: { role: 'user', content: message },
        systemTokens: estimateTokens(baseSystem),
        windowTokens: provider.contextWindowTokens(config.model.model),
        reserveForReplyTokens: maxOutputTokens,
      })
      const system = fitted.earlierNote ? systemPrompt(config, memories, fitted.earlierNote) : baseSystem

      let text = ''
      let usage: TurnUsage | null = null
      let failure: { code: string; message: string } | null = null
      try {
        for await (const event of inStreamSpan(tracer, 'model call', { 'gen_ai.system': provider.name, 'gen_ai.request.model': config.model.model }, provider.stream({
          model: config.model.model, system, messages: fitted.messages, maxOutputTokens, signal,
          ...(config.model.temperature !== undefined ? { temperature: config.model.temperature } : {}),
        }))) {
          if (event.type === 'delta') {
            text += event.text
            yield { type: 'delta', text: event.text }
          } else {
            usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens }
          }
        }
      } catch (err) {
        failure = describeFailure(err, signal)
        deps.log.warn({ event: 'provider-failed', provider: provider.name, code: failure.code, partialChars: text.length }, 'model call failed')
      }
      // A failed call still consumed tokens; estimate what the provider did not report.
      const finalUsage = usage ?? { inputTokens: text ? estimateTokens(system) + fitted.messages.reduce((n, m) => n + estimateTokens(m.content), 0) : 0, outputTokens: estimateTokens(text) }
      const reply = await insertMessage(db, {
        conversationId: conversation.id, role: 'assistant', content: text,
        status: failure ? 'error' : 'complete', errorCode: failure?.code ?? null,
        tokensIn: finalUsage.inputTokens, tokensOut: finalUsage.outputTokens,
      })
      await touchConversation(db, conversation.id)
      deps.recordUsage(finalUsage)
      if (failure) {
        yield { type: 'error', conversationId: conversation.id, messageId: String(reply.id), code: failure.code, message: failure.message, partial: text }
      } else {
        yield { type: 'done', conversationId: conversation.id, messageId: String(reply.id), usage: finalUsage }
      }
    },
  }
  return { run: (signal) => inStreamSpan(tracer, 'turn', { 'myintell.model.provider': config.model.provider }, turn.run(signal), parent) }
}

const FAILURE_MESSAGES: Record<string, string> = {
  rate_limited: 'The model provider is rate limiting this superfriend; try again in a moment.',
  overloaded: 'The model provider is overloaded; try again in a moment.',
  upstream_error: 'The model provider failed to answer.',
  timeout: 'The model provider took too long to answer.',
  stream_error: 'The model provider stopped in the middle of the reply.',
  auth_error: "The model provider refused this superfriend's credentials.",
  bad_request: 'The model provider refused the request.',
  unknown_provider: "This superfriend's model provider is not configured correctly.",
}

/** The user sees a clear, fixed message per code; provider details stay in the log. */
export function describeFailure(err: unknown, signal: AbortSignal): { code: string; message: string } {
  if (signal.aborted) return { code: 'cancelled', message: 'The reply was cancelled.' }
  if (err instanceof ProviderError) return { code: err.code, message: FAILURE_MESSAGES[err.code] ?? 'The model provider failed.' }
  return { code: 'internal', message: 'The superfriend failed while replying.' }
}
