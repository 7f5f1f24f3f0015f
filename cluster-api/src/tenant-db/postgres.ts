// Tenant databases on one PostgreSQL server (the embedded one locally, or a shared server): a database per tenant,
// optionally with its own login role so one tenant's URL cannot open another tenant's database.
import { createHmac } from 'node:crypto'
import pg from 'pg'
import type { TenantDatabaseProvisioner } from './types.ts'
import { quoteIdent, tenantDatabaseName, tenantRoleName } from './database-name.ts'

export interface PostgresProvisionerOptions {
  /** A superuser (or CREATEDB + CREATEROLE) URL on the server that will hold the tenant databases. Secret. */
  adminUrl: string
  /**
   * When set, each tenant gets its own login role (password = HMAC of the tenant id with this secret, so provisioning
   * stays idempotent without storing passwords) and PUBLIC loses CONNECT on its database. When absent (local
   * development), tenant URLs use the admin credentials.
   */
  roleSecret?: string
  /** Prefix of database names, default `tenant`. */
  prefix?: string
}

const DUPLICATE_DATABASE = '42P04'
const DUPLICATE_OBJECT = '42710'
// CREATE DATABASE from template1 fails if another CREATE DATABASE is copying it at the same moment, and concurrent
// CREATE ROLE races on the catalog: provisioning on one server is serialised by this session advisory lock.
const PROVISION_LOCK_KEY = 7_301_006

export function createPostgresProvisioner(opts: PostgresProvisionerOptions): TenantDatabaseProvisioner {
  if (!opts.adminUrl) throw new Error('createPostgresProvisioner requires adminUrl')
  if (opts.roleSecret !== undefined && opts.roleSecret.length < 32) throw new Error('roleSecret must be at least 32 characters')

  async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: opts.adminUrl })
    client.on('error', () => {})
    await client.connect()
    try {
      return await fn(client)
    } finally {
      await client.end()
    }
  }

  const passwordFor = (tenantId: string) => createHmac('sha256', opts.roleSecret!).update(`tenant-db:${tenantId}`).digest('base64url')

  return {
    name: 'postgres',
    async provision(tenant) {
      const database = tenantDatabaseName(tenant, opts.prefix)
      const role = opts.roleSecret ? tenantRoleName(database) : null
      await withAdmin(async (client) => {
        await client.query('SELECT pg_advisory_lock($1)', [PROVISION_LOCK_KEY])
        if (role) {
          const password = passwordFor(tenant.id)
          // CREATE ROLE takes no bind parameters; the password is base64url (no quotes), the name is derived and quoted.
          await client.query(`CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '${password}'`).catch((err: { code?: string }) => {
            if (err.code !== DUPLICATE_OBJECT) throw err
          })
          await client.query(`ALTER ROLE ${quoteIdent(role)} LOGIN PASSWORD '${password}'`)
        }
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
        if (exists.rowCount === 0) {
          // Two provisions racing: the loser sees duplicate_database, which is the state it wanted.
          await client.query(`CREATE DATABASE ${quoteIdent(database)}${role ? ` OWNER ${quoteIdent(role)}` : ''}`).catch((err: { code?: string }) => {
            if (err.code !== DUPLICATE_DATABASE) throw err
          })
        }
        if (role) {
          await client.query(`REVOKE CONNECT ON DATABASE ${quoteIdent(database)} FROM PUBLIC`)
          await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${quoteIdent(role)}`)
        }
      })
      const url = new URL(opts.adminUrl)
      url.pathname = `/${database}`
      if (role) {
        url.username = role
        url.password = passwordFor(tenant.id)
      }
      return url.toString()
    },
    async drop(tenant) {
      const database = tenantDatabaseName(tenant, opts.prefix)
      await withAdmin(async (client) => {
        // WITH (FORCE) ends the tenant's open connections (a runtime still running) instead of failing.
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`)
        if (opts.roleSecret) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(tenantRoleName(database))}`)
      })
    },
  }
}
