// Named prepared statements for the hottest queries: PostgreSQL parses and plans each once per
// connection instead of once per request, and Drizzle builds the SQL text once per process.

import type { Db } from './types.ts'

/**
 * Returns `build(db)` for a handle, built on first use and kept while the handle lives. `build` must end
 * in `.prepare(name)` with a name unique in the process: node-postgres keeps one parsed statement per
 * name on each connection. Statements are prepared after migrations ran (openDatabase migrates first).
 */
export function preparedPerDb<T>(build: (db: Db) => T): (db: Db) => T {
  const statements = new WeakMap<Db, T>()
  return (db) => {
    let statement = statements.get(db)
    if (!statement) {
      statement = build(db)
      statements.set(db, statement)
    }
    return statement
  }
}
