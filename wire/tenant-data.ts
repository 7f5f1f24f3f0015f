// What of an agent lives in its tenant's database (the runtime's schema, agent/src/db/schema.ts) and how to remove
// it: the cluster-api purges a deleted agent's rows without importing the runtime's files. A table the runtime adds
// that holds an agent's rows belongs here too (test/api/agent-data-purge.test.ts checks the schema against it).

/** A query for node-postgres (or any driver taking text and positional values). */
export interface TenantQuery {
  text: string
  values: unknown[]
}

/**
 * The tables with an agent's rows, each with how its rows are found from the agent id ($1), children before their
 * parents: messages and stored responses belong to a conversation (they would also go by cascade; naming them keeps
 * the purge correct if the cascade ever went).
 */
export const AGENT_DATA_TABLES: ReadonlyArray<{ table: string; rowsOf: string }> = [
  { table: 'responses', rowsOf: 'agent_id = $1' },
  { table: 'messages', rowsOf: 'conversation_id IN (SELECT id FROM conversations WHERE agent_id = $1)' },
  { table: 'conversations', rowsOf: 'agent_id = $1' },
  { table: 'memories', rowsOf: 'agent_id = $1' },
]

/**
 * Which of the tables exist: a tenant database no runtime has opened yet has none of them (the runtime creates
 * them on start), and that is "nothing to purge", not an error. Answers rows of `{ name }`.
 */
export function existingAgentDataTables(): TenantQuery {
  return {
    text: 'SELECT t AS name FROM unnest($1::text[]) AS t WHERE to_regclass(quote_ident(t)) IS NOT NULL',
    values: [AGENT_DATA_TABLES.map((t) => t.table)],
  }
}

/** The deletes for one agent's rows in the tables that exist, in a safe order; run them in one transaction. */
export function agentDataPurge(agentId: string, existing: ReadonlySet<string>): TenantQuery[] {
  return AGENT_DATA_TABLES
    .filter((t) => existing.has(t.table) && (t.table !== 'messages' || existing.has('conversations')))
    .map((t) => ({ text: `DELETE FROM ${t.table} WHERE ${t.rowsOf}`, values: [agentId] }))
}
