// OpenAI's Responses API: POST /v1/responses (JSON and the documented SSE events), GET and DELETE /v1/responses/:id.
// With `store` (the default) a response is kept in the tenant database inside a conversation, so a chain continued
// with previous_response_id replays what came before, across a sleep and a wake; a caller reaches only its own.
import { jsonSchema, tool } from 'ai'
import type { ModelMessage, ToolChoice, ToolSet } from 'ai'
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { conversationScope, memoryHolder, requestCaller } from '../http/caller.ts'
import { sseResponse } from '../http/event-stream.ts'
import type { SseFrame } from '../http/event-stream.ts'
import { readJson } from '../http/read-json.ts'
import { addMemory } from '../db/memory-queries.ts'
import { fitContext } from '../chat/context-window.ts'
import { extractFact } from '../chat/memory-intent.ts'
import { recallForPrompt } from '../chat/memory-recall.ts'
import { systemPrompt } from '../chat/prompt.ts'
import { runToolLoop } from '../chat/tool-loop.ts'
import { checkMessage, DEFAULT_MAX_OUTPUT_TOKENS } from '../chat/turn.ts'
import type { TurnDeps } from '../chat/turn.ts'
import type { PromptMessage } from '../providers/types.ts'
import { estimateTokens } from '../providers/types.ts'
import { assembleTools } from '../tools/index.ts'
import { chainMessages, deleteResponse, findResponse } from '../responses/response-queries.ts'
import { callsIn, parseResponseRequest, toModelInput } from '../responses/response-request.ts'
import type { ResponseRequest } from '../responses/response-request.ts'
import { runResponse, type ResponseEvent } from '../responses/run-response.ts'
import type { AgentContext } from './agent-context.ts'
import { ProblemError } from '../../../wire/problem.ts'

function clientTools(req: ResponseRequest): ToolSet {
  const tools: ToolSet = {}
  for (const t of req.tools ?? []) {
    tools[t.name] = tool({
      ...(t.description ? { description: t.description } : {}),
      inputSchema: jsonSchema((t.parameters ?? { type: 'object', properties: {} }) as Parameters<typeof jsonSchema>[0]),
    })
  }
  return tools
}

function toolChoiceOf(req: ResponseRequest): ToolChoice<ToolSet> | undefined {
  const c = req.tool_choice
  if (!c) return undefined
  return typeof c === 'string' ? c : { type: 'tool', toolName: c.name }
}

const responseNotFound = (id: string, param?: string) => new ProblemError({
  status: 404, code: param ? 'previous_response_not_found' : 'not_found', title: 'Response not found',
  detail: `No response with id '${id}' was found.`, ...(param ? { extensions: { param } } : {}),
})

/** Text-only messages (no tool steps), which the context window can cut by whole turns. */
function plainDialogue(messages: readonly ModelMessage[]): PromptMessage[] | null {
  const plain: PromptMessage[] = []
  for (const m of messages) {
    if ((m.role !== 'user' && m.role !== 'assistant') || typeof m.content !== 'string') return null
    plain.push({ role: m.role, content: m.content })
  }
  return plain
}

export function responsesRoutes(ctx: AgentContext, deps: TurnDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/v1/responses', async (c) => {
    const req = parseResponseRequest(await readJson(c.req.raw))
    const { config, db } = ctx.current()
    const caller = requestCaller(c)
    const scope = conversationScope(caller)
    const previous = req.previous_response_id ? await findResponse(db, config.agentId, scope, req.previous_response_id) : null
    if (req.previous_response_id && !previous) throw responseNotFound(req.previous_response_id, 'previous_response_id')
    const chain = previous ? await chainMessages(db, config.agentId, previous.id) : []
    const input = toModelInput(req, callsIn(chain))
    if (input.userText !== null) checkMessage(input.userText, deps.maxMessageChars)

    // The same rules as a chat turn (chat/turn.ts): a fact asked to be kept goes where the caller's memories go,
    // and the prompt recalls the agent-wide memories plus the caller's own.
    const fact = input.userText !== null ? extractFact(input.userText) : null
    const holder = fact ? memoryHolder(caller) : null
    if (fact && holder) await addMemory(db, config.agentId, holder.principal, fact, 'user')
    const [memories, ownTools] = await Promise.all([
      recallForPrompt(db, config.agentId, caller.owner, input.userText ?? ''),
      assembleTools({ config, db, caller, settings: deps.tools, log: deps.log }),
    ])
    const model = deps.model(config)
    const maxOutputTokens = req.max_output_tokens ?? config.model.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS
    // Instructions apply to this response only (OpenAI's rule): they are not part of the stored chain.
    const withClient = (note: string | null) => [systemPrompt(config, memories, note, ownTools.notes), req.instructions, input.clientSystem].filter(Boolean).join('\n\n')
    let prompt: ModelMessage[] = [...chain, ...input.messages]
    let system = withClient(null)
    const plain = plainDialogue(prompt)
    // A dialogue with tool steps goes whole: dropping half of a call/result pair would break it.
    if (plain && plain.at(-1)?.role === 'user') {
      const fitted = fitContext({
        history: plain.slice(0, -1), newMessage: plain.at(-1)!, systemTokens: estimateTokens(system),
        windowTokens: model.contextWindowTokens, reserveForReplyTokens: maxOutputTokens,
      })
      prompt = fitted.messages as ModelMessage[]
      system = withClient(fitted.earlierNote)
    }
    const temperature = req.temperature ?? config.model.temperature
    const client = clientTools(req)
    const toolChoice = toolChoiceOf(req)
    const events = (signal: AbortSignal): AsyncGenerator<ResponseEvent> => runResponse(db, {
      req, model: req.model ?? config.slug, store: req.store ?? true, agentId: config.agentId,
      principal: previous ? previous.principal : caller.owner, conversationId: previous?.conversationId ?? null,
      input: input.messages, userText: input.userText, clientTools: new Set(Object.keys(client)),
      recordUsage: deps.recordUsage,
      loop: (s) => runToolLoop({
        model, system, messages: prompt, maxOutputTokens, signal: s, bounds: deps.bounds,
        // The client's tools win a name clash: it asked for them by name in this request.
        tools: { ...ownTools.tools, ...client },
        ...(temperature !== undefined && temperature !== null ? { temperature } : {}),
        ...(toolChoice ? { toolChoice } : {}),
      }),
    }, signal)

    if (req.stream) {
      return sseResponse(async function* (signal): AsyncGenerator<SseFrame> {
        let sequence = 0
        try {
          for await (const event of events(signal)) {
            yield { event: event.type, data: JSON.stringify({ ...event, sequence_number: sequence++ }) }
          }
        } catch (err) {
          deps.log.error({ event: 'response-failed', err: { name: (err as Error).name, message: (err as Error).message } }, 'response stream failed')
          yield { event: 'error', data: JSON.stringify({ type: 'error', code: 'internal', message: 'The superfriend failed while replying.', param: null, sequence_number: sequence++ }) }
        } finally {
          await ownTools.close().catch(() => {})
        }
      }, ctx.track())
    }

    const end = ctx.track()
    let last: ResponseEvent | null = null
    try {
      for await (const event of events(new AbortController().signal)) last = event
    } finally {
      end()
      await ownTools.close().catch(() => {})
    }
    const response = last!.response as Record<string, unknown>
    if (response.status === 'failed') {
      const error = response.error as { code: string; message: string }
      throw new ProblemError({ status: 502, code: error.code, title: 'The model failed to reply', detail: error.message })
    }
    return c.json(response)
  })

  app.get('/v1/responses/:id', async (c) => {
    const { config, db } = ctx.current()
    const row = await findResponse(db, config.agentId, conversationScope(requestCaller(c)), c.req.param('id'))
    if (!row) throw responseNotFound(c.req.param('id'))
    return c.json(row.body)
  })

  app.delete('/v1/responses/:id', async (c) => {
    const { config, db } = ctx.current()
    const id = c.req.param('id')
    if (!(await deleteResponse(db, config.agentId, conversationScope(requestCaller(c)), id))) throw responseNotFound(id)
    return c.json({ id, object: 'response', deleted: true })
  })
  return app
}
