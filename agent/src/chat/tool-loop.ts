// The model call of a turn on the AI SDK: streamText with the turn's tools, bounded by a step count and a time bound.
// Yields text deltas, every tool call and its result (a failing tool or bad arguments is a result carrying the error,
// which the model sees; the loop goes on), and one final `finish` or `failure`. Never throws for a provider fault.
import type { ModelMessage, ToolChoice, ToolSet } from 'ai'
import type { ToolCallEvent, ToolResultEvent } from '../../../wire/chat-events.ts'
import { toProviderError } from '../providers/errors.ts'
import { estimateTokens } from '../providers/types.ts'
import { ProviderError } from '../providers/types.ts'
import type { AgentModel } from '../providers/types.ts'

export type TurnUsage = { inputTokens: number; outputTokens: number; toolCalls: number }

export interface LoopBounds {
  /** Model calls (steps) in one turn; a tool round is one step. */
  maxSteps: number
  /** The whole loop, every step and tool call (ms). */
  turnTimeoutMs: number
  /** No response headers, no first chunk or no next chunk from the provider for this long is a timeout (ms). */
  providerTimeoutMs: number
}

/** What the client asked for on the OpenAI route: structured output. */
export type ResponseFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name?: string; description?: string; schema: Record<string, unknown> }

export interface LoopRequest {
  model: AgentModel
  system: string
  messages: ModelMessage[]
  tools: ToolSet
  maxOutputTokens: number
  temperature?: number
  bounds: LoopBounds
  signal: AbortSignal
  toolChoice?: ToolChoice<ToolSet>
  responseFormat?: ResponseFormat
}

/** Why the loop ended: the model's own stop, the reply length, the step bound, or a client tool it cannot run. */
export type LoopFinishReason = 'stop' | 'length' | 'step-limit' | 'client-tool-calls' | 'other'

export type LoopEvent =
  | { type: 'delta'; text: string }
  | ToolCallEvent
  | ToolResultEvent
  | { type: 'finish'; usage: TurnUsage; finishReason: LoopFinishReason; text: string; clientToolCalls: ToolCallEvent[] }
  | { type: 'failure'; error: ProviderError; usage: TurnUsage; text: string }

/** The message a tool error carries to the model and to the events: short, no stack. */
function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.length > 1_000 ? `${message.slice(0, 1_000)}…` : message
}

type Ai = typeof import('ai')

/**
 * The AI SDK, loaded on the first turn: an idle runtime (the warm pool, an agent nobody talks to) never parses it,
 * which keeps its resident memory under the 80 MB target (bench/tools.ts).
 */
let ai: Promise<Ai> | null = null
export const loadAi = (): Promise<Ai> => (ai ??= import('ai'))

function output({ Output, jsonSchema }: Ai, format: ResponseFormat | undefined) {
  if (!format || format.type === 'text') return undefined
  if (format.type === 'json_object') return Output.json()
  return Output.object({
    schema: jsonSchema(format.schema as Parameters<typeof jsonSchema>[0]),
    ...(format.name ? { name: format.name } : {}), ...(format.description ? { description: format.description } : {}),
  })
}

export async function* runToolLoop(req: LoopRequest): AsyncGenerator<LoopEvent> {
  // Our own controller: stopping after a provider error must not wait for the SDK to notice.
  const stop = new AbortController()
  const abort = AbortSignal.any([req.signal, stop.signal])
  const sdk = await loadAi()
  const { isStepCount, streamText } = sdk
  const format = output(sdk, req.responseFormat)
  const result = streamText({
    model: req.model.model,
    system: req.system,
    messages: req.messages,
    tools: req.tools,
    ...(req.toolChoice ? { toolChoice: req.toolChoice } : {}),
    ...(format ? { output: format } : {}),
    stopWhen: isStepCount(req.bounds.maxSteps),
    maxOutputTokens: req.maxOutputTokens,
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    maxRetries: req.model.maxRetries,
    abortSignal: abort,
    timeout: { totalMs: req.bounds.turnTimeoutMs, firstChunkMs: req.bounds.providerTimeoutMs, chunkMs: req.bounds.providerTimeoutMs },
    // Errors arrive as stream parts and are mapped below; the SDK's default logs them to the console.
    onError: () => {},
  })

  let text = ''
  let inputTokens = 0
  let outputTokens = 0
  let toolCalls = 0
  let failure: ProviderError | null = null
  let finishReason: LoopFinishReason = 'other'
  let lastStepReason = ''
  const calls = new Map<string, ToolCallEvent>()
  const answered = new Set<string>()
  const usage = (): TurnUsage => ({
    // A failed call still consumed tokens; what the provider did not report is estimated.
    inputTokens: inputTokens || (text ? estimateTokens(req.system) + req.messages.reduce((n, m) => n + estimateTokens(JSON.stringify(m.content)), 0) : 0),
    outputTokens: outputTokens || estimateTokens(text),
    toolCalls,
  })

  try {
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') {
        if (part.text === '') continue
        text += part.text
        yield { type: 'delta', text: part.text }
      } else if (part.type === 'tool-call') {
        toolCalls += 1
        const event: ToolCallEvent = { type: 'tool-call', id: part.toolCallId, name: part.toolName, args: part.input }
        calls.set(part.toolCallId, event)
        yield event
      } else if (part.type === 'tool-result') {
        answered.add(part.toolCallId)
        yield { type: 'tool-result', id: part.toolCallId, name: part.toolName, result: part.output, isError: false }
      } else if (part.type === 'tool-error') {
        answered.add(part.toolCallId)
        yield { type: 'tool-result', id: part.toolCallId, name: part.toolName, result: { error: errorText(part.error) }, isError: true }
      } else if (part.type === 'finish-step') {
        inputTokens += part.usage.inputTokens ?? 0
        outputTokens += part.usage.outputTokens ?? 0
        lastStepReason = part.finishReason
      } else if (part.type === 'error') {
        failure = toProviderError(part.error, req.model.name)
        break
      } else if (part.type === 'abort') {
        // The SDK's own time bounds (chunk, first chunk, total) end the stream this way; the caller's abort too.
        if (!req.signal.aborted) {
          const reason = part.reason ?? 'the model call was aborted'
          failure = /timeout/i.test(reason) ? new ProviderError('timeout', `${req.model.name}: ${reason}`) : new ProviderError('stream_error', `${req.model.name}: ${reason}`)
        }
        break
      }
    }
  } catch (err) {
    failure = toProviderError(err, req.model.name)
  }
  if (!failure && abort.aborted && !req.signal.aborted) failure = toProviderError(abort.reason, req.model.name)
  stop.abort()
  if (failure || req.signal.aborted) {
    yield { type: 'failure', error: failure ?? toProviderError(req.signal.reason, req.model.name), usage: usage(), text }
    return
  }
  const unanswered = [...calls.values()].filter((c) => !answered.has(c.id))
  if (lastStepReason === 'tool-calls') finishReason = unanswered.length > 0 ? 'client-tool-calls' : 'step-limit'
  else if (lastStepReason === 'stop' || lastStepReason === 'length') finishReason = lastStepReason
  yield { type: 'finish', usage: usage(), finishReason, text, clientToolCalls: unanswered }
}
