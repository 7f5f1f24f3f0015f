// Removes one agent's rows (conversations, messages, memories) from its tenant's database, with the statements
// the runtime's schema dictates (wire/tenant-data.ts). One transaction: all of the agent's rows go, or none.

import pg from 'pg'
import { agentDataPurge, existingAgentDataTables } from '../../../wire/tenant-data.ts'

/** A tenant database that does not answer within this long is tried again later (the purger retries). */
const CONNECT_TIMEOUT_MS = 5_000
/** The deletes of one agent: index scans on agent_id; anything slower is a stuck server. */
const QUERY_TIMEOUT_MS = 30_000

/** Deletes the agent's rows; answers how many rows went. Throws when the database cannot be reached. */
export async function purgeAgentData(tenantDatabaseUrl: string, agentId: string): Promise<number> {
  const client = new pg.Client({ connectionString: tenantDatabaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS })
  // A connection lost mid-purge surfaces as the failed query; the idle socket's error must not crash the process.
  client.on('error', () => {})
  await client.connect()
  try {
    await client.query('BEGIN')
    const found = await client.query<{ name: string }>(existingAgentDataTables())
    let deleted = 0
    for (const statement of agentDataPurge(agentId, new Set(found.rows.map((row) => row.name)))) {
      deleted += (await client.query(statement)).rowCount ?? 0
    }
    await client.query('COMMIT')
    return deleted
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    await client.end().catch(() => {})
  }
}
