// The `memory` tool: the model remembers, forgets and searches long-term memories itself. Scoped exactly as a turn's
// own memories are (http/caller.ts): a member's memories are agent-wide, a guest's are its own, and a guest the edge
// could not name keeps nothing; search reaches the agent-wide memories and the caller's own.
import type { Tool } from 'ai'
import { z } from 'zod'
import { addMemory, deleteMemory, deleteOwnMemory, searchMemories } from '../db/memory-queries.ts'
import type { TenantDb } from '../db/tenant-db.ts'
import { memoryHolder, type Caller } from '../http/caller.ts'
import { MAX_FACT_CHARS } from '../chat/memory-intent.ts'

/** Search answers at most this many memories: enough to act on, few enough for the context. */
export const MEMORY_SEARCH_LIMIT = 10

// One flat object, not a union: OpenAI and Anthropic want a tool's input schema to be a plain object.
const inputSchema = z.object({
  action: z.enum(['remember', 'forget', 'search']).describe('remember a fact, forget one by id, or search by words'),
  content: z.string().trim().min(1).max(MAX_FACT_CHARS).optional().describe('remember: the fact, one sentence'),
  id: z.string().optional().describe('forget: the id search gave'),
  query: z.string().max(1_000).optional().describe('search: words to look for; empty for the newest memories'),
})

export interface MemoryToolContext {
  db: TenantDb
  agentId: string
  caller: Caller
  /** Called for each memory the model keeps, so the turn can report it as a `memory` event. */
  onRemember?: (memory: { id: string; content: string }) => void
}

// A plain Tool object (what the SDK's `tool()` returns unchanged): `ai` itself loads with the first turn.
export function memoryTool(ctx: MemoryToolContext): Tool<z.infer<typeof inputSchema>> {
  return {
    description: 'Long-term memory across conversations. action "remember" keeps a fact (content), "search" finds '
      + 'remembered facts (query), "forget" deletes one (id from search). Keep only what will matter later.',
    inputSchema,
    async execute(input: z.infer<typeof inputSchema>) {
      if (input.action === 'remember') {
        if (!input.content) throw new Error('remember needs content: the fact to keep')
        const holder = memoryHolder(ctx.caller)
        if (!holder) throw new Error('memories cannot be kept for an anonymous caller')
        const row = await addMemory(ctx.db, ctx.agentId, holder.principal, input.content, 'agent')
        ctx.onRemember?.({ id: row.id, content: row.content })
        return { remembered: { id: row.id, content: row.content } }
      }
      if (input.action === 'forget') {
        if (!input.id) throw new Error('forget needs the id of a memory (search gives it)')
        // A member forgets any memory of the agent (as DELETE /v1/memories/:id allows); a guest only its own.
        const gone = ctx.caller.member ? await deleteMemory(ctx.db, ctx.agentId, input.id)
          : ctx.caller.owner !== null && await deleteOwnMemory(ctx.db, ctx.agentId, ctx.caller.owner, input.id)
        if (!gone) throw new Error(`no memory with id ${input.id} to forget`)
        return { forgotten: input.id }
      }
      const rows = await searchMemories(ctx.db, ctx.agentId, ctx.caller.owner, input.query ?? '', MEMORY_SEARCH_LIMIT)
      return { memories: rows.map((m) => ({ id: m.id, content: m.content, pinned: m.pinned, createdAt: m.createdAt.toISOString() })) }
    },
  }
}
