// Memory recalled by relevance, on a real tenant database migrated as the runtime migrates it: the full-text match
// for the turn's message makes it into the prompt's budget however old it is, pinned memories always do, a guest's
// memories never reach another caller, and the memory tool's search reaches what the budget left out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { recallForPrompt, MEMORY_RECALL_BUDGET_TOKENS } from '../../agent/src/chat/memory-recall.ts'
import { addMemory, relevanceQuery, searchMemories } from '../../agent/src/db/memory-queries.ts'
import { findMigrationsFolder, openTenantDatabase } from '../../agent/src/db/tenant-db.ts'
import type { TenantDatabase } from '../../agent/src/db/tenant-db.ts'
import { estimateTokens } from '../../agent/src/providers/types.ts'

const AGENT = 'agent-recall'
const FILLERS = 80
let tenant: TenantDatabase

beforeAll(async () => {
  tenant = await openTenantDatabase(await createTestDatabase('agent_recall'), findMigrationsFolder())
  const { db } = tenant
  // Oldest first: the facts that matter are older than every filler.
  await addMemory(db, AGENT, null, 'My sister Lena lives in Oslo with two cats', 'user')
  await addMemory(db, AGENT, null, 'Always answer in British English', 'user', true)
  await addMemory(db, AGENT, 'anon:guest-b', 'Guest B keeps a secret diary about Lena', 'user')
  for (let i = 0; i < FILLERS; i++) {
    await addMemory(db, AGENT, null, `Gardening note ${i}: the tomatoes in greenhouse row ${i} want water every second morning`, 'user')
  }
  await addMemory(db, 'another-agent', null, 'Lena is the name of the other agent\'s owner', 'user')
})
afterAll(async () => { await tenant?.close() })

describe('memory recall by relevance', () => {
  it('fits the recalled memories within the token budget, not all of them', async () => {
    const recalled = await recallForPrompt(tenant.db, AGENT, null, 'good morning')
    expect(recalled.length).toBeLessThan(FILLERS + 2)
    expect(recalled.reduce((n, m) => n + estimateTokens(m) + 1, 0)).toBeLessThanOrEqual(MEMORY_RECALL_BUDGET_TOKENS)
  })

  it('recalls an old memory the message is about, which the newest-first order would have left out', async () => {
    const about = await recallForPrompt(tenant.db, AGENT, null, 'Where does Lena live these days?')
    expect(about).toContain('My sister Lena lives in Oslo with two cats')
    // Control: a message about something else fills the budget with the newest memories instead.
    const other = await recallForPrompt(tenant.db, AGENT, null, 'good morning')
    expect(other).not.toContain('My sister Lena lives in Oslo with two cats')
  })

  it('always recalls pinned memories', async () => {
    for (const message of ['Where does Lena live?', 'good morning', '?']) {
      expect(await recallForPrompt(tenant.db, AGENT, null, message)).toContain('Always answer in British English')
    }
  })

  it("recalls a guest's own memories for that guest alone, and nothing of another agent", async () => {
    expect(await recallForPrompt(tenant.db, AGENT, 'anon:guest-b', 'Lena')).toContain('Guest B keeps a secret diary about Lena')
    const forOthers = [...await recallForPrompt(tenant.db, AGENT, 'anon:guest-a', 'Lena'), ...await recallForPrompt(tenant.db, AGENT, null, 'Lena')]
    expect(forOthers).not.toContain('Guest B keeps a secret diary about Lena')
    expect(forOthers).not.toContain("Lena is the name of the other agent's owner")
  })

  it('lets the memory search reach what the budget left out, ranked by match', async () => {
    const found = await searchMemories(tenant.db, AGENT, null, 'greenhouse row 3', 5)
    expect(found[0]?.content).toBe('Gardening note 3: the tomatoes in greenhouse row 3 want water every second morning')
    expect(found).toHaveLength(5)
    expect((await searchMemories(tenant.db, AGENT, null, 'Oslo cats', 5)).map((m) => m.content)).toEqual(['My sister Lena lives in Oslo with two cats'])
  })

  it('builds its query from words only, so no tsquery operator comes from the message', () => {
    expect(relevanceQuery("Lena's cat & dog | !(Oslo) <-> :*")).toBe('lena | cat | dog | oslo')
    expect(relevanceQuery('is it the?')).toBeNull()
  })
})
