// Which memories a prompt carries: pinned ones, then those relevant to the message (PostgreSQL full-text rank), then
// the newest, as many as fit a token budget. The rest stay reachable through the memory tool's search.
import { recallRelevantMemories } from '../db/memory-queries.ts'
import type { TenantDb } from '../db/tenant-db.ts'
import { estimateTokens } from '../providers/types.ts'

/** Tokens of memories in one prompt: enough for a few dozen facts, small next to any model's window. */
export const MEMORY_RECALL_BUDGET_TOKENS = 1_000
/** Rows read to fill the budget (a fact is at most 500 characters, so far more than fit). */
const MEMORY_RECALL_READ_LIMIT = 200

/** The contents to put in the prompt, oldest first (the order they were learnt in reads most naturally). */
export async function recallForPrompt(db: TenantDb, agentId: string, owner: string | null, message: string, budgetTokens = MEMORY_RECALL_BUDGET_TOKENS): Promise<string[]> {
  const rows = await recallRelevantMemories(db, agentId, owner, message, MEMORY_RECALL_READ_LIMIT)
  const kept: typeof rows = []
  let left = budgetTokens
  for (const row of rows) {
    // "- " and the line break around each fact.
    const cost = estimateTokens(row.content) + 1
    if (cost > left) continue
    kept.push(row)
    left -= cost
  }
  return kept.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map((m) => m.content)
}
