// Revoking an API key revokes every key it minted, down the chain, and no key can be minted past a revocation.
// A real cluster-api on its own database; the race tests hold one side's transaction open on purpose.

import { setTimeout as sleep } from 'node:timers/promises'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INTERNAL_PATHS } from '../../../wire/internal-api.ts'
import { createOwner, startTestApi, type TestApi } from '../../../test/api/support/harness.ts'
import { createApiKey, createMintedApiKey, mintedByKey, revokeApiKey, verifyApiKey, type RevokedApiKey } from '../db/queries/api-keys.ts'
import { apiKeys, type ApiKeyScope } from '../db/schema/index.ts'
import type { Db } from '../db/types.ts'

type Key = { id: string; key: string }
type Revoked = { id: string; revokedAt: string | null; mintedKeysRevoked: number }

let api: TestApi
let owner: { token: string; tenantId: string }
let otherOwner: { token: string; tenantId: string }

beforeAll(async () => {
  api = await startTestApi()
  owner = await createOwner(api, 'keychain')
  otherOwner = await createOwner(api, 'keychain-other')
})
afterAll(() => api.close())

const MANAGER_SCOPES: ApiKeyScope[] = ['api-keys:write', 'agents:read']

async function mint(token: string, name: string, scopes: ApiKeyScope[] = ['agents:read']): Promise<Key> {
  const response = await api.v1('POST', '/v1/api-keys', { token, body: { name, scopes } })
  expect(response.status, await response.clone().text()).toBe(201)
  return (await response.json()) as Key
}

/** Keys minted before a key could not grant api-keys:write may hold it, so chains deeper than two exist. */
async function grantKeyManagementAsBefore(key: Key): Promise<void> {
  await api.db.update(apiKeys).set({ scopes: MANAGER_SCOPES }).where(eq(apiKeys.id, key.id))
}

/** owner → manager → child → grandchild, the grandchild minted by the child through the API. */
async function threeGenerations(name: string): Promise<{ manager: Key; child: Key; grandchild: Key }> {
  const manager = await mint(owner.token, `${name} manager`, MANAGER_SCOPES)
  const child = await mint(manager.key, `${name} child`)
  await grantKeyManagementAsBefore(child)
  const grandchild = await mint(child.key, `${name} grandchild`)
  return { manager, child, grandchild }
}

async function revoke(id: string): Promise<Revoked> {
  const response = await api.v1('DELETE', `/v1/api-keys/${id}`, { token: owner.token })
  expect(response.status).toBe(200)
  return (await response.json()) as Revoked
}

async function revokedAt(id: string): Promise<string | null> {
  const [row] = await api.db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, id))
  expect(row, `key ${id}`).toBeDefined()
  return row!.revokedAt?.toISOString() ?? null
}

/** 200 for an active key with agents:read, 401 for a revoked one. */
const statusWith = async (key: Key) => (await api.v1('GET', '/v1/agents', { token: key.key })).status

/** Resolves once a session of this test's database waits on a lock, or once `work` settles without anyone waiting. */
async function untilBlockedOrSettled(work: Promise<unknown>): Promise<void> {
  let settled = false
  work.then(() => { settled = true }, () => { settled = true })
  while (!settled) {
    const { rows } = (await api.db.execute(sql`select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`)) as unknown as { rows: Array<{ waiting: number }> }
    if (rows[0]!.waiting > 0) return
    await sleep(5)
  }
}

describe('revoking a key that minted keys', () => {
  it('revokes its children and grandchildren at the same time, and they stop authenticating', async () => {
    const { manager, child, grandchild } = await threeGenerations('tree')
    const ownersOtherKey = await mint(owner.token, 'tree bystander')
    expect(await statusWith(grandchild)).toBe(200)

    const revoked = await revoke(manager.id)
    expect(revoked).toMatchObject({ id: manager.id, mintedKeysRevoked: 2 })
    expect(revoked.revokedAt).not.toBeNull()
    expect(await revokedAt(child.id)).toBe(revoked.revokedAt)
    expect(await revokedAt(grandchild.id)).toBe(revoked.revokedAt)

    expect(await statusWith(grandchild)).toBe(401)
    expect(await statusWith(child)).toBe(401)
    expect((await api.internal('POST', INTERNAL_PATHS.verifyKey, { key: grandchild.key })).status).toBe(401)
    expect(await verifyApiKey(api.db, grandchild.key)).toBeNull()
    // A key the signed-in owner created is no part of the chain.
    expect(await statusWith(ownersOtherKey)).toBe(200)
  })

  it('describes the answer in the OpenAPI document: an ApiKey plus mintedKeysRevoked', async () => {
    const doc = (await (await api.v1('GET', '/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>>
      components: { schemas: Record<string, unknown> }
    }
    const answer = doc.paths['/v1/api-keys/{id}']!.delete!.responses['200']!.content['application/json']!.schema
    expect(answer).toEqual({ $ref: '#/components/schemas/RevokedApiKey' })
    expect(doc.components.schemas.RevokedApiKey).toMatchObject({
      allOf: [{ $ref: '#/components/schemas/ApiKey' }, { properties: { mintedKeysRevoked: { type: 'integer' } }, required: ['mintedKeysRevoked'] }],
    })
  })

  it('answers a second revoke as the first, with nothing more revoked', async () => {
    const { manager } = await threeGenerations('twice')
    const first = await revoke(manager.id)
    const second = await revoke(manager.id)
    expect(second).toEqual({ ...first, mintedKeysRevoked: 0 })
  })

  it('leaves the key that minted a revoked middle key working', async () => {
    const { manager, child, grandchild } = await threeGenerations('middle')

    expect(await revoke(child.id)).toMatchObject({ id: child.id, mintedKeysRevoked: 1 })
    expect(await statusWith(grandchild)).toBe(401)
    expect(await revokedAt(manager.id)).toBeNull()
    expect(await statusWith(manager)).toBe(200)
    expect(await verifyApiKey(api.db, manager.key)).not.toBeNull()
    await mint(manager.key, 'middle, minted after')
  })

  it("leaves another tenant's keys alone, even one whose created_by names the revoked key", async () => {
    const manager = await mint(owner.token, 'look-alike manager', MANAGER_SCOPES)
    const lookAlike = await createApiKey(api.db, otherOwner.tenantId, {
      name: 'look-alike', scopes: ['agents:read'], createdBy: mintedByKey(manager.id),
    })

    expect(await revoke(manager.id)).toMatchObject({ mintedKeysRevoked: 0 })
    expect(await revokedAt(lookAlike.key.id)).toBeNull()
    expect(await verifyApiKey(api.db, lookAlike.plaintext)).not.toBeNull()
  })

  it('keeps the earlier revokedAt of a child revoked before, and still revokes what that child minted', async () => {
    const { manager, child, grandchild } = await threeGenerations('earlier')
    const sibling = await mint(manager.key, 'earlier sibling')
    // Revoked before revocation cascaded: its grandchild was left active.
    const earlier = new Date(Date.now() - 60_000)
    await api.db.update(apiKeys).set({ revokedAt: earlier }).where(eq(apiKeys.id, child.id))

    const revoked = await revoke(manager.id)
    expect(revoked.mintedKeysRevoked).toBe(2)
    expect(await revokedAt(child.id)).toBe(earlier.toISOString())
    expect(await revokedAt(grandchild.id)).toBe(revoked.revokedAt)
    expect(await revokedAt(sibling.id)).toBe(revoked.revokedAt)
  })

  it('revokes, on a second revoke, a child minted before revocation cascaded', async () => {
    const manager = await mint(owner.token, 'legacy manager', MANAGER_SCOPES)
    const child = await mint(manager.key, 'legacy child')
    const earlier = new Date(Date.now() - 60_000)
    await api.db.update(apiKeys).set({ revokedAt: earlier }).where(eq(apiKeys.id, manager.id))

    const revoked = await revoke(manager.id)
    expect(revoked).toMatchObject({ revokedAt: earlier.toISOString(), mintedKeysRevoked: 1 })
    expect(await statusWith(child)).toBe(401)
  })
})

describe('minting while the minting key is being revoked', () => {
  it('makes a revocation wait for a mint in flight, and revokes the key it made', async () => {
    const manager = await mint(owner.token, 'race manager', MANAGER_SCOPES)
    let revoking: Promise<RevokedApiKey | null> | undefined
    // The outer transaction keeps the mint uncommitted until the revocation has started.
    const minted = await api.db.transaction(async (tx) => {
      const key = await createMintedApiKey(tx as unknown as Db, owner.tenantId, manager.id, { name: 'in flight', scopes: ['agents:read'] })
      revoking = revokeApiKey(api.db, owner.tenantId, manager.id)
      await untilBlockedOrSettled(revoking)
      return key
    })

    expect(minted).not.toBeNull()
    expect(await revoking).toMatchObject({ mintedKeysRevoked: 1 })
    expect(await verifyApiKey(api.db, minted!.plaintext)).toBeNull()
  })

  it('refuses with 401 a mint that waited for the revocation of its key', async () => {
    const manager = await mint(owner.token, 'late manager', MANAGER_SCOPES)
    expect(await statusWith(manager)).toBe(200)
    let minting: Promise<Response> | undefined
    // The outer transaction keeps the revocation uncommitted while the mint, already authenticated, reaches the check.
    await api.db.transaction(async (tx) => {
      await revokeApiKey(tx as unknown as Db, owner.tenantId, manager.id)
      minting = api.v1('POST', '/v1/api-keys', { token: manager.key, body: { name: 'too late', scopes: ['agents:read'] } })
      await untilBlockedOrSettled(minting)
    })

    const response = await minting!
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ code: 'unauthorized', detail: 'this API key has been revoked' })
    const names = await api.db.select({ name: apiKeys.name }).from(apiKeys).where(eq(apiKeys.tenantId, owner.tenantId))
    expect(names.map((k) => k.name)).not.toContain('too late')
  })
})
