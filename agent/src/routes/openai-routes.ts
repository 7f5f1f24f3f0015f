// OpenAI-compatible API: POST /v1/chat/completions (streaming and not) and GET /v1/models, for any OpenAI client.
// The agent's persona and memories are applied; the client's system messages are added after the persona.
import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { memoryHolder, requestCaller } from '../http/caller.ts'
import { sseResponse } from '../http/event-stream.ts'
import type { SseFrame } from '../http/event-stream.ts'
import { readJson } from '../http/read-json.ts'
import { addMemory, recallMemories } from '../db/memory-queries.ts'
import { fitContext } from '../chat/context-window.ts'
import { extractFact } from '../chat/memory-intent.ts'
import { parseChatCompletion, toPrompt } from '../chat/openai-request.ts'
import { systemPrompt } from '../chat/prompt.ts'
import { checkMessage, DEFAULT_MAX_OUTPUT_TOKENS, describeFailure, MEMORY_RECALL_LIMIT } from '../chat/turn.ts'
import type { TurnDeps } from '../chat/turn.ts'
import { estimateTokens } from '../providers/types.ts'
import type { AgentContext } from './agent-context.ts'
import { ProblemError } from '../../../wire/problem.ts'

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
    const { clientSystem, dialogue } = toPrompt(req)
    const last = dialogue.at(-1)
    if (!last || last.role !== 'user') throw new ProblemError({
      status: 400, code: 'invalid_value', title: 'Invalid request',
      detail: 'The last message must be a user message.',
      extensions: { param: 'messages' },
    })
    checkMessage(last.content, deps.maxMessageChars)

    const { config, db } = ctx.current()
    // The same rules as a chat turn (chat/turn.ts): the fact is kept where the caller's memories go, and the
    // prompt recalls the agent-wide memories plus the caller's own.
    const caller = requestCaller(c)
    const fact = extractFact(last.content)
    const holder = fact ? memoryHolder(caller) : null
    if (fact && holder) await addMemory(db, config.agentId, holder.principal, fact, 'user')
    const memories = (await recallMemories(db, config.agentId, caller.owner, MEMORY_RECALL_LIMIT)).map((m) => m.content).reverse()
    const provider = deps.provider(config)
    const maxOutputTokens = req.max_completion_tokens ?? req.max_tokens ?? config.model.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS
    const withClient = (note: string | null) => [systemPrompt(config, memories, note), clientSystem].filter(Boolean).join('\n\n')
    const fitted = fitContext({
      history: dialogue.slice(0, -1), newMessage: last, systemTokens: estimateTokens(withClient(null)),
      windowTokens: provider.contextWindowTokens(config.model.model), reserveForReplyTokens: maxOutputTokens,
    })
    const temperature = req.temperature ?? config.model.temperature
    const modelRequest = (signal: AbortSignal) => ({
      model: config.model.model, system: withClient(fitted.earlierNote), messages: fitted.messages, maxOutputTokens, signal,
      ...(temperature !== undefined ? { temperature } : {}),
    })
    const id = `chatcmpl-${randomUUID().replace(/-/g, '')}`
    const created = Math.floor(Date.now() / 1000)
    const model = req.model

    if (req.stream) {
      const includeUsage = req.stream_options?.include_usage === true
      const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
        data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] }),
      })
      return sseResponse(async function* (signal): AsyncGenerator<SseFrame> {
        yield chunk({ role: 'assistant', content: '' }, null)
        let text = ''
        let usage = { inputTokens: 0, outputTokens: 0 }
        try {
          for await (const event of provider.stream(modelRequest(signal))) {
            if (event.type === 'delta') {
              text += event.text
              yield chunk({ content: event.text }, null)
            } else usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens }
          }
        } catch (err) {
          const failure = describeFailure(err, signal)
          deps.recordUsage({ inputTokens: 0, outputTokens: estimateTokens(text) })
          // OpenAI's own mid-stream error shape: the official clients raise it as an APIError.
          yield { data: JSON.stringify({ error: { message: failure.message, type: 'server_error', param: null, code: failure.code } }) }
          return
        }
        deps.recordUsage(usage)
        yield chunk({}, 'stop')
        if (includeUsage) {
          yield { data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: openAiUsage(usage) }) }
        }
        yield { data: '[DONE]' }
      }, ctx.track())
    }

    const end = ctx.track()
    let text = ''
    let usage = { inputTokens: 0, outputTokens: 0 }
    const signal = new AbortController().signal
    try {
      for await (const event of provider.stream(modelRequest(signal))) {
        if (event.type === 'delta') text += event.text
        else usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens }
      }
    } catch (err) {
      const failure = describeFailure(err, signal)
      deps.recordUsage({ inputTokens: 0, outputTokens: estimateTokens(text) })
      throw new ProblemError({ status: 502, code: failure.code, title: 'The model failed to reply', detail: failure.message })
    } finally {
      end()
    }
    deps.recordUsage(usage)
    return c.json({
      id, object: 'chat.completion', created, model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: openAiUsage(usage),
    })
  })
  return app
}

function openAiUsage(u: { inputTokens: number; outputTokens: number }) {
  return { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens }
}
