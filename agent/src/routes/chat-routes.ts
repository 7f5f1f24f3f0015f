// POST /v1/chat: `{ message, conversationId? }` → JSON reply, or with Accept: text/event-stream an SSE stream
// (`start`, `memory`, `delta`, `tool-call`, `tool-result`… then `done` with conversation id and usage, or `error`
// with the partial reply kept). The JSON reply lists the turn's tool calls with their results.
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { requestCaller } from '../http/caller.ts'
import { sseResponse } from '../http/event-stream.ts'
import { readJson } from '../http/read-json.ts'
import { prepareTurn } from '../chat/turn.ts'
import type { TurnDeps, TurnEvent } from '../chat/turn.ts'
import type { AgentContext } from './agent-context.ts'
import { ProblemError } from '../../../wire/problem.ts'

export function wantsEventStream(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.trim().startsWith('text/event-stream'))
}

export function chatRoutes(ctx: AgentContext, deps: TurnDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/v1/chat', async (c) => {
    const body = await readJson(c.req.raw)
    const turn = await prepareTurn(deps, ctx.current(), requestCaller(c), body)

    if (wantsEventStream(c.req.header('accept'))) {
      return sseResponse(async function* (signal) {
        for await (const event of turn.run(signal)) {
          const { type, ...data } = event
          yield { event: type, data: JSON.stringify(data) }
        }
      }, ctx.track())
    }

    // JSON: the turn runs to completion even if the client leaves, so what was said is stored.
    const end = ctx.track()
    const events: TurnEvent[] = []
    let reply = ''
    try {
      for await (const event of turn.run(new AbortController().signal)) {
        events.push(event)
        if (event.type === 'delta') reply += event.text
      }
    } finally {
      end()
    }
    const last = events.at(-1)
    const memories = events.filter((e) => e.type === 'memory').map((e) => ({ id: e.id, content: e.content }))
    const toolCalls = toolCallsOf(events)
    if (last?.type === 'done') {
      return c.json({
        conversationId: last.conversationId, messageId: last.messageId, reply, usage: last.usage, finishReason: last.finishReason,
        memoriesSaved: memories, toolCalls,
      })
    }
    if (last?.type === 'error') {
      throw new ProblemError({
        status: 502, code: `model-${last.code.replace(/_/g, '-')}`, title: 'The model failed to reply',
        detail: last.message,
        extensions: { conversationId: last.conversationId, messageId: last.messageId, partialReply: last.partial, toolCalls },
      })
    }
    throw new Error('chat turn ended without a done or error event')
  })
  return app
}

/** Each tool call of a turn with its result (`result` absent for a call the turn ended before answering). */
export function toolCallsOf(events: readonly TurnEvent[]): Array<{ id: string; name: string; args: unknown; result?: unknown; isError?: boolean }> {
  const calls = new Map<string, { id: string; name: string; args: unknown; result?: unknown; isError?: boolean }>()
  for (const e of events) {
    if (e.type === 'tool-call') calls.set(e.id, { id: e.id, name: e.name, args: e.args })
    else if (e.type === 'tool-result') {
      const call = calls.get(e.id) ?? { id: e.id, name: e.name, args: null }
      calls.set(e.id, { ...call, result: e.result, isError: e.isError })
    }
  }
  return [...calls.values()]
}
