// The Neon provisioner through the real @neondatabase/api-client against a local Neon API double.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeNeon } from '../../../test/fakes/neon-api.ts'
import type { FakeNeon } from '../../../test/fakes/neon-api.ts'
import { createNeonProvisioner } from './neon.ts'

let neon: FakeNeon
beforeAll(async () => { neon = await startFakeNeon() })
afterAll(async () => { await neon.close() })

const tenant = () => ({ id: randomUUID(), slug: 'acme' })
const provisioner = (extra: Partial<Parameters<typeof createNeonProvisioner>[0]> = {}) =>
  createNeonProvisioner({ apiKey: 'neon-test-key', projectId: neon.projectId, baseUrl: neon.baseUrl, lockedRetryDelayMs: 5, ...extra })

describe('neon tenant database provisioner', () => {
  it('creates a role and a database owned by it on the default branch and returns a pooled connection URL', async () => {
    const t = tenant()
    const url = await provisioner().provision(t)
    const parsed = new URL(url)
    const dbName = parsed.pathname.slice(1)
    expect(dbName).toMatch(/^tenant_acme_[0-9a-f]{10}$/)
    expect(parsed.hostname).toContain('-pooler')
    expect(parsed.username).toBe(`${dbName}_owner`)
    expect(neon.databases.get(dbName)).toEqual({ name: dbName, owner_name: `${dbName}_owner` })
  })

  it('is idempotent: a second provision creates nothing and returns the same URL', async () => {
    const t = tenant()
    const p = provisioner()
    const first = await p.provision(t)
    const creates = neon.requests.filter((r) => r.method === 'POST').length
    expect(await p.provision(t)).toBe(first)
    expect(neon.requests.filter((r) => r.method === 'POST').length).toBe(creates)
  })

  it('gives two tenants different databases and roles', async () => {
    const p = provisioner()
    const a = new URL(await p.provision(tenant()))
    const b = new URL(await p.provision(tenant()))
    expect(a.pathname).not.toBe(b.pathname)
    expect(a.username).not.toBe(b.username)
  })

  it('waits out 423 Locked while a Neon operation is running', async () => {
    neon.lockNext(3)
    const url = await provisioner().provision(tenant())
    expect(url).toMatch(/^postgresql:\/\//)
    expect(neon.requests.filter((r) => r.method === 'POST').length).toBeGreaterThan(0)
  })

  it('drops the database and role, and dropping again is fine', async () => {
    const t = tenant()
    const p = provisioner()
    const dbName = new URL(await p.provision(t)).pathname.slice(1)
    await p.drop(t)
    await p.drop(t)
    expect(neon.databases.has(dbName)).toBe(false)
    expect(neon.roles.has(`${dbName}_owner`)).toBe(false)
  })

  it('fails clearly with a wrong API key, without echoing the key', async () => {
    const err = await provisioner({ apiKey: 'wrong-key-123' }).provision(tenant()).catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(/Neon API 401/)
    expect((err as Error).message).not.toContain('wrong-key-123')
  })

  it('uses an explicit branch and unpooled URLs when asked', async () => {
    const url = new URL(await provisioner({ branchId: neon.branchId, pooled: false }).provision(tenant()))
    expect(url.hostname).not.toContain('-pooler')
  })
})
