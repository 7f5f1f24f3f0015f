// OpenAI-compatible API: POST /v1/chat/completions (streaming and not) and GET /v1/models, for any OpenAI client.
// The agent's persona and memories are applied; the client's system messages are added after the persona. The
// request's `tools` go to the model beside the agent's own (run here, server-side); a call of a client tool ends the
// turn and goes back as `tool_calls` with finish_reason "tool_calls". `response_format` is passed to the model.
import { randomUUID } from 'node:crypto'
import type { ModelMessage, ToolChoice, ToolSet } from 'ai'
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { memoryHolder, requestCaller } from '../http/caller.ts'
import { sseResponse } from '../http/event-stream.ts'
import type { SseFrame } from '../http/event-stream.ts'
import { readJson } from '../http/read-json.ts'
import { addMemory } from '../db/memory-queries.ts'
import { fitContext } from '../chat/context-window.ts'
import { extractFact } from '../chat/memory-intent.ts'
import { recallForPrompt } from '../chat/memory-recall.ts'
import { parseChatCompletion, responseFormatOf, textOf, toPrompt } from '../chat/openai-request.ts'
import type { ChatCompletionRequest } from '../chat/openai-request.ts'
import { systemPrompt } from '../chat/prompt.ts'
import { loadAi, runToolLoop, type LoopEvent, type LoopFinishReason, type TurnUsage } from '../chat/tool-loop.ts'
import { checkMessage, DEFAULT_MAX_OUTPUT_TOKENS, describeFailure } from '../chat/turn.ts'
import type { TurnDeps } from '../chat/turn.ts'
import { assembleTools } from '../tools/index.ts'
import { estimateTokens } from '../providers/types.ts'
import type { ToolCallEvent } from '../../../wire/chat-events.ts'
import type { AgentContext } from './agent-context.ts'
import { ProblemError } from '../../../wire/problem.ts'

/** The client's tools, for the model to call: no execute, so a call of one ends the loop and goes back to the client. */
async function clientTools(req: ChatCompletionRequest): Promise<ToolSet> {
  const tools: ToolSet = {}
  if (!req.tools?.length) return tools
  const { jsonSchema } = await loadAi()
  for (const t of req.tools) {
    tools[t.function.name] = {
      ...(t.function.description ? { description: t.function.description } : {}),
      inputSchema: jsonSchema((t.function.parameters ?? { type: 'object', properties: {} }) as Parameters<typeof jsonSchema>[0]),
    }
  }
  return tools
}

function toolChoiceOf(req: ChatCompletionRequest): ToolChoice<ToolSet> | undefined {
  const c = req.tool_choice
  if (!c) return undefined
  return typeof c === 'string' ? c : { type: 'tool', toolName: c.function.name }
}

function finishReasonOf(reason: LoopFinishReason): string {
  if (reason === 'client-tool-calls') return 'tool_calls'
  return reason === 'length' ? 'length' : 'stop'
}

const openAiToolCall = (c: ToolCallEvent) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.args ?? {}) } })

export function openAiRoutes(ctx: AgentContext, deps: TurnDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  const modelView = (slug: string) => ({ id: slug, object: 'model', created: 0, owned_by: 'myintell' })

  app.get('/v1/models', (c) => {
    const { config } = ctx.current()
    return c.json({ object: 'list', data: [modelView(config.slug)] })
  })
  app.get('/v1/models/:id', (c) => {
    const { config } = ctx.current()
    if (c.req.param('id') !== config.slug) throw new ProblemError({
      status: 404, code: 'model_not_found', title: 'Model not found',
      detail: `The model '${c.req.param('id')}' does not exist; this superfriend serves '${config.slug}'.`,
      extensions: { param: 'model' },
    })
    return c.json(modelView(config.slug))
  })

  app.post('/v1/chat/completions', async (c) => {
    const req = parseChatCompletion(await readJson(c.req.raw))
    const { clientSystem, dialogue, messages, usesTools } = toPrompt(req)
    const last = req.messages.at(-1)!
    if (last.role !== 'user' && last.role !== 'tool') throw new ProblemError({
      status: 400, code: 'invalid_value', title: 'Invalid request',
      detail: 'The last message must be a user message or a tool result.',
      extensions: { param: 'messages' },
    })
    const lastUser = [...req.messages].reverse().find((m) => m.role === 'user')
    if (last.role === 'user') checkMessage(textOf(last.content), deps.maxMessageChars)
    const lastText = lastUser ? textOf(lastUser.content) : ''

    const { config, db } = ctx.current()
    // The same rules as a chat turn (chat/turn.ts): the fact is kept where the caller's memories go, and the
    // prompt recalls the agent-wide memories plus the caller's own, the most relevant first.
    const caller = requestCaller(c)
    const fact = last.role === 'user' ? extractFact(lastText) : null
    const holder = fact ? memoryHolder(caller) : null
    if (fact && holder) await addMemory(db, config.agentId, holder.principal, fact, 'user')
    const [memories, ownTools] = await Promise.all([
      recallForPrompt(db, config.agentId, caller.owner, lastText),
      assembleTools({ config, db, caller, settings: deps.tools, log: deps.log }),
    ])
    const model = deps.model(config)
    const maxOutputTokens = req.max_completion_tokens ?? req.max_tokens ?? config.model.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS
    const withClient = (note: string | null) => [systemPrompt(config, memories, note, ownTools.notes), clientSystem].filter(Boolean).join('\n\n')
    // A dialogue with tool steps goes as the client sent it: dropping part of a call/result pair would break it.
    let prompt: ModelMessage[] = messages
    let system = withClient(null)
    if (!usesTools) {
      const fitted = fitContext({
        history: dialogue.slice(0, -1), newMessage: dialogue.at(-1)!, systemTokens: estimateTokens(system),
        windowTokens: model.contextWindowTokens, reserveForReplyTokens: maxOutputTokens,
      })
      prompt = fitted.messages as ModelMessage[]
      system = withClient(fitted.earlierNote)
    }
    const temperature = req.temperature ?? config.model.temperature
    const client = await clientTools(req)
    const toolChoice = toolChoiceOf(req)
    const responseFormat = responseFormatOf(req)
    const loop = (signal: AbortSignal): AsyncGenerator<LoopEvent> => runToolLoop({
      model, system, messages: prompt, maxOutputTokens, signal, bounds: deps.bounds,
      // The client's tools win a name clash: it asked for them by name in this request.
      tools: { ...ownTools.tools, ...client },
      ...(temperature !== undefined ? { temperature } : {}),
      ...(toolChoice ? { toolChoice } : {}),
      ...(responseFormat ? { responseFormat } : {}),
    })
    const record = (usage: TurnUsage) => deps.recordUsage(usage)
    const id = `chatcmpl-${randomUUID().replace(/-/g, '')}`
    const created = Math.floor(Date.now() / 1000)
    const modelName = req.model

    if (req.stream) {
      const includeUsage = req.stream_options?.include_usage === true
      const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
        data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model: modelName, choices: [{ index: 0, delta, finish_reason: finish }] }),
      })
      return sseResponse(async function* (signal): AsyncGenerator<SseFrame> {
        yield chunk({ role: 'assistant', content: '' }, null)
        let index = 0
        try {
          for await (const event of loop(signal)) {
            if (event.type === 'delta') yield chunk({ content: event.text }, null)
            // Each client tool call goes out whole as it is made; the agent's own calls stay server-side.
            else if (event.type === 'tool-call' && Object.hasOwn(client, event.name)) {
              yield chunk({ tool_calls: [{ index: index++, ...openAiToolCall(event) }] }, null)
            } else if (event.type === 'failure') {
              record(event.usage)
              const failure = describeFailure(event.error, signal)
              // OpenAI's own mid-stream error shape: the official clients raise it as an APIError.
              yield { data: JSON.stringify({ error: { message: failure.message, type: 'server_error', param: null, code: failure.code } }) }
              return
            } else if (event.type === 'finish') {
              record(event.usage)
              yield chunk({}, finishReasonOf(event.finishReason))
              if (includeUsage) {
                yield { data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model: modelName, choices: [], usage: openAiUsage(event.usage) }) }
              }
            }
          }
        } finally {
          await ownTools.close().catch(() => {})
        }
        yield { data: '[DONE]' }
      }, ctx.track())
    }

    const end = ctx.track()
    const signal = new AbortController().signal
    let text = ''
    let outcome: Extract<LoopEvent, { type: 'finish' | 'failure' }> | null = null
    try {
      for await (const event of loop(signal)) {
        if (event.type === 'delta') text += event.text
        else if (event.type === 'finish' || event.type === 'failure') outcome = event
      }
    } finally {
      end()
      await ownTools.close().catch(() => {})
    }
    if (!outcome) throw new Error('the tool loop ended without finish or failure')
    record(outcome.usage)
    if (outcome.type === 'failure') {
      const failure = describeFailure(outcome.error, signal)
      throw new ProblemError({ status: 502, code: failure.code, title: 'The model failed to reply', detail: failure.message })
    }
    const calls = outcome.clientToolCalls.map(openAiToolCall)
    return c.json({
      id, object: 'chat.completion', created, model: modelName,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: calls.length > 0 && text === '' ? null : text, refusal: null, ...(calls.length > 0 ? { tool_calls: calls } : {}) },
        finish_reason: finishReasonOf(outcome.finishReason), logprobs: null,
      }],
      usage: openAiUsage(outcome.usage),
    })
  })
  return app
}

function openAiUsage(u: { inputTokens: number; outputTokens: number }) {
  return { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens }
}
