// Compiles, while a warm-pool runtime idles, the code its wake runs first: the assignment's config parse and the
// first turn's query building. Node compiles a function when it first runs; done here, a wake no longer pays for it.
import { drizzle } from 'drizzle-orm/node-postgres'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { parseRuntimeConfig } from './config/runtime-config.ts'
import { createConversation, findConversation, insertMessage, recentMessages } from './db/conversation-queries.ts'
import { recallMemories } from './db/memory-queries.ts'
import type { TenantDb } from './db/tenant-db.ts'
import * as schema from './db/schema.ts'

/** Well formed, matches nothing, and never sent anywhere: the queries below run against no database. */
const NO_SUCH_ID = '00000000-0000-0000-0000-000000000000'
const SAMPLE_CONFIG: RuntimeConfig = {
  agentId: 'warm-up', slug: 'warm-up', tenantId: 'warm-up', tenantSlug: 'warm-up', name: 'Warm-up',
  persona: { systemPrompt: '', style: '' }, model: { provider: 'local', model: 'local-dev' }, visibility: 'private',
  tenantDatabaseUrl: 'postgres://warm-up@127.0.0.1:1/warm-up', signingKey: 'warm-up-key-0123456789abcdef0123456789', secrets: {},
}

/** Never throws: a warm-up that fails only leaves the wake as slow as it was. */
export async function warmUpForAssignment(): Promise<void> {
  parseRuntimeConfig(JSON.parse(JSON.stringify(SAMPLE_CONFIG)))
  // drizzle.mock() builds queries and has no client: each query is built, then fails at sending, which is caught.
  const db = drizzle.mock({ schema }) as unknown as TenantDb
  const queries: Array<() => Promise<unknown>> = [
    () => createConversation(db, NO_SUCH_ID, null, 'warm-up'),
    () => findConversation(db, NO_SUCH_ID, { all: true }, NO_SUCH_ID),
    () => insertMessage(db, { conversationId: NO_SUCH_ID, role: 'user', content: 'warm-up' }),
    () => recentMessages(db, NO_SUCH_ID, 1),
    () => recallMemories(db, NO_SUCH_ID, null, 1),
  ]
  for (const query of queries) await query().catch(() => {})
}
