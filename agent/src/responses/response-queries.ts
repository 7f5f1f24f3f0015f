// Queries on stored responses, one plain function each, `db` first; scoped like conversations (a RowScope).
import type { ModelMessage } from 'ai'
import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { RowScope } from '../db/conversation-queries.ts'
import { responses } from '../db/responses-schema.ts'
import type { TenantDb } from '../db/tenant-db.ts'

export type ResponseRow = typeof responses.$inferSelect
export type NewResponse = Omit<typeof responses.$inferInsert, 'createdAt'>

/** A chain longer than this is read from its newest responses only; the context window cuts it anyway. */
const CHAIN_MAX_RESPONSES = 200

function visible(agentId: string, scope: RowScope): SQL | null {
  if (scope.all) return eq(responses.agentId, agentId)
  if (scope.owner === null) return null
  return and(eq(responses.agentId, agentId), eq(responses.principal, scope.owner))!
}

/** The response, if `scope` reaches it; one another caller made is "not found". */
export async function findResponse(db: TenantDb, agentId: string, scope: RowScope, id: string): Promise<ResponseRow | null> {
  const where = visible(agentId, scope)
  if (!where) return null
  const [row] = await db.select().from(responses).where(and(where, eq(responses.id, id)))
  return row ?? null
}

export async function insertResponse(db: TenantDb, row: NewResponse): Promise<void> {
  await db.insert(responses).values(row)
}

export async function deleteResponse(db: TenantDb, agentId: string, scope: RowScope, id: string): Promise<boolean> {
  const where = visible(agentId, scope)
  if (!where) return false
  const rows = await db.delete(responses).where(and(where, eq(responses.id, id))).returning({ id: responses.id })
  return rows.length > 0
}

/**
 * The model messages of the chain that ends at `id`, oldest first: each response's turn, following
 * previous_response_id back. A deleted response in the middle ends the walk there (what came before it is gone).
 */
export async function chainMessages(db: TenantDb, agentId: string, id: string): Promise<ModelMessage[]> {
  const result = await db.execute<{ turn: ModelMessage[] }>(sql`
    with recursive chain(id, previous_response_id, turn, depth) as (
      select id, previous_response_id, turn, 0 from responses where id = ${id} and agent_id = ${agentId}
      union all
      select r.id, r.previous_response_id, r.turn, c.depth + 1
        from responses r join chain c on r.id = c.previous_response_id
        where r.agent_id = ${agentId} and c.depth < ${CHAIN_MAX_RESPONSES}
    )
    select turn from chain order by depth desc`)
  return result.rows.flatMap((r) => r.turn)
}
