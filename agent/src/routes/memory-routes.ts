// GET /v1/memories (newest first), POST /v1/memories { content, pinned? }, DELETE /v1/memories/:id.
// A pinned memory is recalled into every prompt; the others when the turn is about them (chat/memory-recall.ts).
// What the superfriend remembers across conversations, for the tenant's members only: agent-wide memories (which
// every caller's turn recalls) and what each guest of a public agent asked to be kept for itself.
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.ts'
import { requestCaller, requireMember } from '../http/caller.ts'
import { pageSize } from '../http/pagination.ts'
import { readJson } from '../http/read-json.ts'
import { addMemory, deleteMemory, listMemories } from '../db/memory-queries.ts'
import type { MemoryRow } from '../db/memory-queries.ts'
import { MAX_FACT_CHARS } from '../chat/memory-intent.ts'
import type { AgentContext } from './agent-context.ts'
import { ProblemError } from '../../../wire/problem.ts'

const createMemorySchema = z.object({ content: z.string(), pinned: z.boolean().optional() })

/** `principal`: null for an agent-wide memory, else the guest it is kept for. */
const view = (m: MemoryRow) => ({ id: m.id, content: m.content, source: m.source, principal: m.principal, pinned: m.pinned, createdAt: m.createdAt.toISOString() })

export function memoryRoutes(ctx: AgentContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  // Before anything is read, parsed or stored: a guest learns nothing here, not even whether an id exists.
  // (`/v1/memories/*` also matches `/v1/memories` itself.)
  app.use('/v1/memories/*', async function membersOnly(c, next) {
    requireMember(requestCaller(c))
    await next()
  })

  app.get('/v1/memories', async (c) => {
    const { db, config } = ctx.current()
    const rows = await listMemories(db, config.agentId, pageSize(c.req.query('limit')))
    return c.json({ data: rows.map(view) })
  })

  app.post('/v1/memories', async (c) => {
    const parsed = createMemorySchema.safeParse(await readJson(c.req.raw))
    if (!parsed.success) throw new ProblemError({
      status: 400, code: 'invalid-request', title: 'Invalid request',
      detail: 'content must be a string, and pinned (optional) a boolean.',
    })
    const content = parsed.data.content.trim()
    if (!content) throw new ProblemError({ status: 422, code: 'empty-memory', title: 'Empty memory', detail: 'content must contain some text.' })
    if (content.length > MAX_FACT_CHARS) throw new ProblemError({
      status: 413, code: 'memory-too-long', title: 'Memory too long',
      detail: `A memory may be at most ${MAX_FACT_CHARS} characters.`,
    })
    const { db, config } = ctx.current()
    // A member's memory is agent-wide: every caller's turn recalls it.
    return c.json(view(await addMemory(db, config.agentId, null, content, 'user', parsed.data.pinned ?? false)), 201)
  })

  app.delete('/v1/memories/:id', async (c) => {
    const { db, config } = ctx.current()
    if (!(await deleteMemory(db, config.agentId, c.req.param('id')))) {
      throw new ProblemError({
        status: 404, code: 'memory-not-found', title: 'Memory not found',
        detail: 'No memory with this id exists for this superfriend.',
      })
    }
    return c.body(null, 204)
  })
  return app
}
