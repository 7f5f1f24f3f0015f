// GET /v1/conversations, GET /v1/conversations/:id/messages (cursor pagination), DELETE /v1/conversations/:id.
// A member reaches every conversation of the agent; a guest only those it started (others are "not found").
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { conversationScope, requestCaller } from '../http/caller.ts'
import { conversationNotFound } from './conversation-errors.ts'
import { decodeCursor, encodeCursor, pageSize } from '../http/pagination.ts'
import { deleteConversation, findConversation, listConversations, listMessages } from '../db/conversation-queries.ts'
import type { AgentContext } from './agent-context.ts'

const isConversationCursor = (v: unknown): v is [string, string] =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[0]))
const isMessageCursor = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0

export function conversationRoutes(ctx: AgentContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/v1/conversations', async (c) => {
    const { db, config } = ctx.current()
    const limit = pageSize(c.req.query('limit'))
    const cursor = decodeCursor(c.req.query('cursor'), isConversationCursor)
    const rows = await listConversations(db, config.agentId, conversationScope(requestCaller(c)), limit + 1, cursor ? { updatedAt: new Date(cursor[0]), id: cursor[1] } : undefined)
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return c.json({
      data: page.map((r) => ({ id: r.id, title: r.title, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() })),
      nextCursor: rows.length > limit && last ? encodeCursor([last.updatedAt.toISOString(), last.id]) : null,
    })
  })

  app.get('/v1/conversations/:id/messages', async (c) => {
    const { db, config } = ctx.current()
    const conversation = await findConversation(db, config.agentId, conversationScope(requestCaller(c)), c.req.param('id'))
    if (!conversation) throw conversationNotFound()
    const limit = pageSize(c.req.query('limit'))
    const after = decodeCursor(c.req.query('cursor'), isMessageCursor)
    const rows = await listMessages(db, conversation.id, limit + 1, after)
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return c.json({
      conversationId: conversation.id,
      data: page.map((m) => ({
        id: String(m.id), role: m.role, content: m.content, status: m.status,
        ...(m.errorCode ? { error: m.errorCode } : {}),
        // A `tool-call` / `tool-result` step of the tool loop (chat/turn.ts).
        ...(m.tool ? { tool: m.tool } : {}),
        usage: { inputTokens: m.tokensIn, outputTokens: m.tokensOut },
        createdAt: m.createdAt.toISOString(),
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
    })
  })

  app.delete('/v1/conversations/:id', async (c) => {
    const { db, config } = ctx.current()
    if (!(await deleteConversation(db, config.agentId, conversationScope(requestCaller(c)), c.req.param('id')))) throw conversationNotFound()
    return c.body(null, 204)
  })
  return app
}
