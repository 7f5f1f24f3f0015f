// A database per tenant on the run's real PostgreSQL: created once, idempotent, isolated, dropped.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { adminDatabaseUrl } from '../../../test/support/db.ts'
import { createPostgresProvisioner } from './postgres.ts'

const ROLE_SECRET = 'tenant-role-secret-for-tests-0123456789'

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(sql)
  } finally {
    await client.end()
  }
}

const tenant = () => ({ id: randomUUID(), slug: `acme-${randomUUID().slice(0, 6)}` })

describe('postgres tenant database provisioner', () => {
  it('creates a database for a tenant and returns the same URL when asked again', async () => {
    const provisioner = createPostgresProvisioner({ adminUrl: adminDatabaseUrl() })
    const t = tenant()
    const url = await provisioner.provision(t)
    expect(await provisioner.provision(t)).toBe(url)
    await query(url, 'CREATE TABLE notes (id int)')
    expect((await query(url, 'SELECT current_database() AS db')).rows[0].db).toBe(new URL(url).pathname.slice(1))
    await provisioner.drop(t)
  })

  it('provisions concurrently without failing', async () => {
    const provisioner = createPostgresProvisioner({ adminUrl: adminDatabaseUrl() })
    const t = tenant()
    const urls = await Promise.all([provisioner.provision(t), provisioner.provision(t), provisioner.provision(t)])
    expect(new Set(urls).size).toBe(1)
    await provisioner.drop(t)
  })

  it("gives each tenant its own role that cannot open another tenant's database", async () => {
    const provisioner = createPostgresProvisioner({ adminUrl: adminDatabaseUrl(), roleSecret: ROLE_SECRET })
    const a = tenant()
    const b = tenant()
    const urlA = await provisioner.provision(a)
    const urlB = await provisioner.provision(b)
    expect(new URL(urlA).username).not.toBe(new URL(adminDatabaseUrl()).username)
    await query(urlA, 'CREATE TABLE private_a (secret text)')
    const crossed = new URL(urlA)
    crossed.pathname = new URL(urlB).pathname
    await expect(query(crossed.toString(), 'SELECT 1')).rejects.toThrow(/permission denied/)
    await provisioner.drop(a)
    await provisioner.drop(b)
  })

  it('drops the database, even with a connection open, and dropping twice is fine', async () => {
    const provisioner = createPostgresProvisioner({ adminUrl: adminDatabaseUrl(), roleSecret: ROLE_SECRET })
    const t = tenant()
    const url = await provisioner.provision(t)
    const open = new pg.Client({ connectionString: url })
    open.on('error', () => {})
    await open.connect()
    await provisioner.drop(t)
    await provisioner.drop(t)
    const name = new URL(url).pathname.slice(1)
    expect((await query(adminDatabaseUrl(), `SELECT 1 FROM pg_database WHERE datname = '${name}'`)).rowCount).toBe(0)
    await open.end().catch(() => {})
  })

  it('refuses to start without an admin URL or with a short role secret', () => {
    expect(() => createPostgresProvisioner({ adminUrl: '' })).toThrow(/adminUrl/)
    expect(() => createPostgresProvisioner({ adminUrl: adminDatabaseUrl(), roleSecret: 'short' })).toThrow(/roleSecret/)
  })
})
