// A fresh database per test file on the run's embedded PostgreSQL.

import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'

/** Creates an empty database and returns its URL. Migrations are the caller's (or the app's start-up) job. */
export async function createTestDatabase(prefix = 't'): Promise<string> {
  const adminUrl = inject('postgresUrl')
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE "${name}"`)
  } finally {
    await client.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** The server's admin URL, for tests that provision databases themselves (tenant databases). */
export function adminDatabaseUrl(): string {
  return inject('postgresUrl')
}
