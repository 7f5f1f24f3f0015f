// One chat turn, shared by POST /v1/chat (JSON and SSE) and the WebSocket: validate, store, prompt, run the tool
// loop, store. Validation happens in prepareTurn before anything is stored; run() yields the events every transport
// sends, tool calls and results included (each one stored in the conversation as it happens).
import type { JSONValue, ModelMessage } from 'ai'
import { z } from 'zod'
import type { ToolEvent } from '../../../wire/chat-events.ts'
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import { createConversation, findConversation, insertMessage, recentMessages, touchConversation } from '../db/conversation-queries.ts'
import type { MessageRow } from '../db/conversation-queries.ts'
import { addMemory } from '../db/memory-queries.ts'
import type { TenantDb } from '../db/tenant-db.ts'
import { conversationScope, memoryHolder, type Caller } from '../http/caller.ts'
import type { Logger } from '../log.ts'
import { estimateTokens, ProviderError } from '../providers/types.ts'
import type { AgentModel, PromptMessage } from '../providers/types.ts'
import { conversationNotFound } from '../routes/conversation-errors.ts'
import { assembleTools, type ToolSettings } from '../tools/index.ts'
import { fitContext } from './context-window.ts'
import { extractFact } from './memory-intent.ts'
import { recallForPrompt } from './memory-recall.ts'
import { systemPrompt } from './prompt.ts'
import { runToolLoop, type LoopBounds, type LoopFinishReason, type TurnUsage } from './tool-loop.ts'
import { ProblemError } from '../../../wire/problem.ts'
import { context } from '@opentelemetry/api'
import { inStreamSpan } from '../../../wire/node-tracing.ts'
import { tracer } from '../telemetry/tracing.ts'

export type { TurnUsage } from './tool-loop.ts'
export type TurnEvent =
  | { type: 'start'; conversationId: string }
  | { type: 'memory'; id: string; content: string }
  | { type: 'delta'; text: string }
  | ToolEvent
  | { type: 'done'; conversationId: string; messageId: string; usage: TurnUsage; finishReason: LoopFinishReason }
  | { type: 'error'; conversationId: string; messageId: string; code: string; message: string; partial: string }

export interface TurnDeps {
  /** The agent's model on the AI SDK (providers/registry.ts buildModel). */
  model(config: RuntimeConfig): AgentModel
  recordUsage(usage: TurnUsage): void
  maxMessageChars: number
  bounds: LoopBounds
  tools: ToolSettings
  log: Logger
}

/** How much history is read before fitting it to the window (messages). */
const HISTORY_MAX_MESSAGES = 400
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
 * The stored dialogue as the model sees it again: user messages, and each reply with the tool steps of its turn.
 * A call without a stored result (the turn broke off) is left out: every provider refuses an unanswered call.
 */
export function dialogueOf(rows: readonly MessageRow[]): PromptMessage[] {
  const out: PromptMessage[] = []
  let calls: Array<{ id: string; name: string; args: unknown }> = []
  let steps: ModelMessage[] = []
  let results: Array<{ id: string; name: string; result: unknown; isError: boolean }> = []
  const closeStep = () => {
    const answered = calls.filter((c) => results.some((r) => r.id === c.id))
    if (answered.length > 0) {
      steps.push({ role: 'assistant', content: answered.map((c) => ({ type: 'tool-call' as const, toolCallId: c.id, toolName: c.name, input: c.args ?? {} })) })
      steps.push({
        role: 'tool',
        content: results.filter((r) => answered.some((c) => c.id === r.id)).map((r) => ({
          type: 'tool-result' as const, toolCallId: r.id, toolName: r.name,
          output: r.isError ? { type: 'error-json' as const, value: (r.result ?? null) as JSONValue } : { type: 'json' as const, value: (r.result ?? null) as JSONValue },
        })),
      })
    }
    calls = []
    results = []
  }
  for (const m of rows) {
    const tool = m.tool as { id: string; name: string; args?: unknown; result?: unknown; isError?: boolean } | null
    if (m.role === 'tool-call' && tool) {
      // A call after results starts the next step.
      if (results.length > 0) closeStep()
      calls.push({ id: tool.id, name: tool.name, args: tool.args })
    } else if (m.role === 'tool-result' && tool) {
      results.push({ id: tool.id, name: tool.name, result: tool.result, isError: tool.isError === true })
    } else if (m.role === 'user') {
      calls = []
      results = []
      steps = []
      if (m.content !== '') out.push({ role: 'user', content: m.content })
    } else if (m.role === 'assistant') {
      closeStep()
      if (m.content !== '' || steps.length > 0) out.push({ role: 'assistant', content: m.content, ...(steps.length > 0 ? { toolSteps: steps } : {}) })
      steps = []
    }
  }
  return out
}

/** The fitted dialogue as AI SDK messages: each reply's tool steps, then its text. */
export function modelMessagesOf(messages: readonly PromptMessage[]): ModelMessage[] {
  return messages.flatMap((m): ModelMessage[] => [
    ...(m.toolSteps ?? []),
    ...(m.content !== '' || !m.toolSteps?.length ? [{ role: m.role, content: m.content } as ModelMessage] : []),
  ])
}

/**
 * `caller` decides what the turn reaches: a conversation to continue must be one it may see (a guest: one it
 * started), a fact it asks to be remembered is kept where memoryHolder says, and the prompt recalls the agent-wide
 * memories plus the caller's own; the memory tool is scoped the same way.
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
      const remembered: Array<{ id: string; content: string }> = []
      // Independent reads and the user-message write go out together: they are most of the time to first token.
      const [unordered, userRow, memories, turnTools] = await Promise.all([
        existing ? recentMessages(db, conversation.id, HISTORY_MAX_MESSAGES) : Promise.resolve([]),
        insertMessage(db, { conversationId: conversation.id, role: 'user', content: message }),
        recallForPrompt(db, config.agentId, caller.owner, message),
        assembleTools({ config, db, caller, settings: deps.tools, log: deps.log, signal, onRemember: (m) => remembered.push(m) }),
      ])
      // The read may or may not see the concurrent insert; history is what came before this message.
      const prior = dialogueOf(unordered.filter((m) => m.id < userRow.id))

      const model = deps.model(config)
      const maxOutputTokens = config.model.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS
      const baseSystem = systemPrompt(config, memories, null, turnTools.notes)
      const fitted = fitContext({
        history: prior,
        newMessage: { role: 'user', content: message },
        systemTokens: estimateTokens(baseSystem) + estimateTokens(JSON.stringify(Object.keys(turnTools.tools))),
        windowTokens: model.contextWindowTokens,
        reserveForReplyTokens: maxOutputTokens,
      })
      const system = fitted.earlierNote ? systemPrompt(config, memories, fitted.earlierNote, turnTools.notes) : baseSystem

      let text = ''
      let usage: TurnUsage = { inputTokens: 0, outputTokens: 0, toolCalls: 0 }
      let failure: { code: string; message: string } | null = null
      let finishReason: LoopFinishReason = 'other'
      try {
        // The model call: every step of the tool loop, from the first request to the model to its last answer.
        for await (const event of inStreamSpan(tracer, 'model call', { 'gen_ai.system': model.name, 'gen_ai.request.model': config.model.model }, runToolLoop({
          model, system, messages: modelMessagesOf(fitted.messages), tools: turnTools.tools, maxOutputTokens, bounds: deps.bounds, signal,
          ...(config.model.temperature !== undefined ? { temperature: config.model.temperature } : {}),
        }))) {
          if (event.type === 'delta') {
            text += event.text
            yield event
          } else if (event.type === 'tool-call') {
            await insertMessage(db, { conversationId: conversation.id, role: 'tool-call', content: '', tool: { id: event.id, name: event.name, args: event.args } })
            yield event
          } else if (event.type === 'tool-result') {
            await insertMessage(db, {
              conversationId: conversation.id, role: 'tool-result', content: '', status: event.isError ? 'error' : 'complete',
              tool: { id: event.id, name: event.name, result: event.result, isError: event.isError },
            })
            yield event
            for (const m of remembered.splice(0)) yield { type: 'memory', id: m.id, content: m.content }
          } else if (event.type === 'finish') {
            usage = event.usage
            finishReason = event.finishReason
          } else {
            usage = event.usage
            failure = describeFailure(event.error, signal)
            deps.log.warn({ event: 'provider-failed', provider: model.name, code: failure.code, partialChars: text.length }, 'model call failed')
          }
        }
      } catch (err) {
        // A database fault while storing a step: the reply so far is still stored below, the user sees an error.
        failure = describeFailure(err, signal)
        deps.log.error({ event: 'turn-failed', message: (err as Error).message }, 'chat turn failed')
      } finally {
        await turnTools.close().catch((err: Error) => deps.log.warn({ event: 'tools-close-failed', message: err.message }, 'closing tools failed'))
      }
      const reply = await insertMessage(db, {
        conversationId: conversation.id, role: 'assistant', content: text,
        status: failure ? 'error' : 'complete', errorCode: failure?.code ?? null,
        tokensIn: usage.inputTokens, tokensOut: usage.outputTokens,
      })
      await touchConversation(db, conversation.id)
      deps.recordUsage(usage)
      if (failure) {
        yield { type: 'error', conversationId: conversation.id, messageId: String(reply.id), code: failure.code, message: failure.message, partial: text }
      } else {
        yield { type: 'done', conversationId: conversation.id, messageId: String(reply.id), usage, finishReason }
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
