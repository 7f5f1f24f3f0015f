// Rotating the secrets key: restart with MYINTELL_SECRETS_KEY new and _PREVIOUS old, and every stored secret moves to
// the new key at start-up (read back with SQL), still readable by its agent; after that the old key is not needed.

import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { keyIdOf } from '../../cluster-api/src/secrets/key-ring.ts'
import type { SecretsKeys } from '../../cluster-api/src/secrets/secrets-key.ts'
import { createTestDatabase } from '../support/db.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from './support/harness.ts'

const tenantDatabases = { name: 'postgres' as const, provision: async (t: { slug: string }) => `postgres://u:p@127.0.0.1:1/${t.slug}`, drop: async () => {} }
let running: TestApi | null = null
afterEach(async () => {
  await running?.close()
  running = null
})

async function start(databaseUrl: string, secretsKeys: SecretsKeys): Promise<TestApi> {
  await running?.close()
  running = await startTestApi({ databaseUrl, secretsKeys, tenantDatabases })
  return running
}

async function keyIds(api: TestApi): Promise<string[]> {
  const result = await api.db.execute(sql`select key_id from agent_secrets order by name`)
  return (result as unknown as { rows: Array<{ key_id: string }> }).rows.map((row) => row.key_id)
}

describe('rotating the secrets key', () => {
  it('re-encrypts every secret under the new key at start-up, and needs the old key no more after', async () => {
    const databaseUrl = await createTestDatabase('rotate')
    const oldKey = randomBytes(32)
    const newKey = randomBytes(32)

    let api = await start(databaseUrl, { current: oldKey })
    const owner = await createOwner(api, 'rotate')
    const agent = await createTestAgent(api, owner.token, 'rotate-agent')
    for (const [name, value] of [['ALPHA', 'alpha-value'], ['BETA', 'beta-value']]) {
      expect((await api.v1('PUT', `/v1/agents/${agent.id}/secrets/${name}`, { token: owner.token, body: { value } })).status).toBe(201)
    }
    expect(await keyIds(api)).toEqual([keyIdOf(oldKey), keyIdOf(oldKey)])

    api = await start(databaseUrl, { current: newKey, previous: oldKey })
    expect(await keyIds(api)).toEqual([keyIdOf(newKey), keyIdOf(newKey)])
    const [rotated] = await api.workloads.desiredSpecs()
    expect(rotated!.secrets).toMatchObject({ ALPHA: 'alpha-value', BETA: 'beta-value' })

    api = await start(databaseUrl, { current: newKey })
    const [after] = await api.workloads.desiredSpecs()
    expect(after!.secrets).toMatchObject({ ALPHA: 'alpha-value', BETA: 'beta-value' })
  })

  it('leaves secrets of a key it was not given untouched and out of the config, instead of failing to start', async () => {
    const databaseUrl = await createTestDatabase('rotate_lost')
    const lostKey = randomBytes(32)
    let api = await start(databaseUrl, { current: lostKey })
    const owner = await createOwner(api, 'rotate-lost')
    const agent = await createTestAgent(api, owner.token, 'rotate-lost-agent')
    await api.v1('PUT', `/v1/agents/${agent.id}/secrets/GONE`, { token: owner.token, body: { value: 'gone-value' } })

    api = await start(databaseUrl, { current: randomBytes(32) })
    expect(await keyIds(api)).toEqual([keyIdOf(lostKey)])
    const [spec] = await api.workloads.desiredSpecs()
    expect(spec!.secrets.GONE).toBeUndefined()
    // Setting it again seals it under the key in use.
    expect((await api.v1('PUT', `/v1/agents/${agent.id}/secrets/GONE`, { token: owner.token, body: { value: 'new-value' } })).status).toBe(200)
    const [again] = await api.workloads.desiredSpecs()
    expect(again!.secrets.GONE).toBe('new-value')
  })
})
