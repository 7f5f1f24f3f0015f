// Agent secrets through the real cluster-api on a real PostgreSQL: set, list, delete; encrypted at rest (the row read
// with SQL holds no plaintext), never returned and never logged; each bad input a 422 naming the field that changes
// nothing; the runtime's config carries the agent's own secrets over the platform defaults, and no other agent's.

import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_SECRET_VALUE_BYTES } from '../../wire/agent-tools.ts'
import { INTERNAL_PATHS } from '../../wire/internal-api.ts'
import { keyIdOf, SecretKeyRing } from '../../cluster-api/src/secrets/key-ring.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from './support/harness.ts'
import { createRecordingDriver, type RecordingDriver } from './support/recording-driver.ts'
import type { AgentSpec } from '../../cluster-api/src/drivers/types.ts'

const KEY = randomBytes(32)
const PLATFORM_SECRETS = { OPENAI_API_KEY: 'sk-platform-default', OPENAI_BASE_URL: 'http://platform.example.test/v1' }
let api: TestApi
let driver: RecordingDriver
let owner: { token: string; tenantId: string }
const logLines: string[] = []

beforeAll(async () => {
  driver = createRecordingDriver()
  // Every level, so a value logged anywhere on the way would show.
  const logger = pino({ level: 'trace' }, new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done() } }))
  api = await startTestApi({
    driver, logger, secretsKeys: { current: KEY }, runtimeSecrets: PLATFORM_SECRETS,
    tenantDatabases: { name: 'postgres', provision: async (t) => `postgres://u:p@127.0.0.1:1/${t.slug}`, drop: async () => {} },
  })
  owner = await createOwner(api, 'secrets')
})
afterAll(() => api.close())

const put = (agentId: string, name: string, body: unknown, token = owner.token) =>
  api.v1('PUT', `/v1/agents/${agentId}/secrets/${name}`, { token, body })
const list = async (agentId: string, token = owner.token) =>
  ((await (await api.v1('GET', `/v1/agents/${agentId}/secrets`, { token })).json()) as { items: Array<Record<string, unknown>> }).items
const lastSpec = (agentId: string): AgentSpec => {
  const spec = driver.calls.filter((call) => call.op === 'ensure' && call.agentId === agentId).at(-1)?.spec
  if (!spec) throw new Error(`no spec was ensured for ${agentId}`)
  return spec
}
async function rows(agentId: string): Promise<Array<Record<string, string>>> {
  const result = await api.db.execute(sql`select * from agent_secrets where agent_id = ${agentId} order by name`)
  return (result as unknown as { rows: Array<Record<string, string>> }).rows
}

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const body = (await response.json()) as Record<string, unknown>
  expect(body).toMatchObject({ status, code })
  return body
}

describe('agent secrets', () => {
  it('creates (201), replaces (200), lists names and times only, and deletes (204, then 404)', async () => {
    const agent = await createTestAgent(api, owner.token, 'secret-crud')
    const created = await put(agent.id, 'GITHUB_TOKEN', { value: 'ghp_first-value' })
    expect(created.status).toBe(201)
    const createdBody = await created.text()
    expect(createdBody).not.toContain('ghp_first')
    expect(JSON.parse(createdBody)).toMatchObject({ name: 'GITHUB_TOKEN' })

    const replaced = await put(agent.id, 'GITHUB_TOKEN', { value: 'ghp_second-value' })
    expect(replaced.status).toBe(200)
    const replacedBody = await replaced.text()
    expect(replacedBody).not.toContain('ghp_second')
    // Replacing keeps when it was first set.
    const firstSet = JSON.parse(createdBody) as { createdAt: string; updatedAt: string }
    const secondSet = JSON.parse(replacedBody) as { createdAt: string; updatedAt: string }
    expect(secondSet.createdAt).toBe(firstSet.createdAt)
    expect(Date.parse(secondSet.updatedAt)).toBeGreaterThanOrEqual(Date.parse(firstSet.updatedAt))

    const listing = await api.v1('GET', `/v1/agents/${agent.id}/secrets`, { token: owner.token })
    const text = await listing.text()
    expect(text).not.toContain('ghp_')
    const items = (JSON.parse(text) as { items: Array<Record<string, unknown>> }).items
    expect(items).toHaveLength(1)
    expect(Object.keys(items[0]!).sort()).toEqual(['createdAt', 'name', 'updatedAt'])
    expect(items[0]!.name).toBe('GITHUB_TOKEN')
    expect(Date.parse(items[0]!.updatedAt as string)).toBeGreaterThanOrEqual(Date.parse(items[0]!.createdAt as string))

    // The agent document does not carry secrets either.
    expect(await (await api.v1('GET', `/v1/agents/${agent.id}`, { token: owner.token })).text()).not.toContain('ghp_')

    expect((await api.v1('DELETE', `/v1/agents/${agent.id}/secrets/GITHUB_TOKEN`, { token: owner.token })).status).toBe(204)
    expect(await list(agent.id)).toEqual([])
    await expectProblem(await api.v1('DELETE', `/v1/agents/${agent.id}/secrets/GITHUB_TOKEN`, { token: owner.token }), 404, 'not-found')
    await expectProblem(await api.v1('DELETE', `/v1/agents/${agent.id}/secrets/NEVER_SET`, { token: owner.token }), 404, 'not-found')
    expect(lastSpec(agent.id).secrets.GITHUB_TOKEN).toBeUndefined()
  })

  it('stores only ciphertext: the row read with SQL holds no plaintext and opens only with the key, agent and name', async () => {
    const agent = await createTestAgent(api, owner.token, 'secret-at-rest')
    const value = `sk-live-${randomBytes(12).toString('hex')}`
    expect((await put(agent.id, 'OPENAI_API_KEY', { value })).status).toBe(201)
    const [row] = await rows(agent.id)
    expect(row).toBeDefined()
    const whole = JSON.stringify(row)
    expect(whole).not.toContain(value)
    expect(whole).not.toContain(Buffer.from(value).toString('base64').slice(0, 16))
    expect(Buffer.from(row!.ciphertext!, 'base64').toString('latin1')).not.toContain(value)
    expect(row!.key_id).toBe(keyIdOf(KEY))
    const sealed = { keyId: row!.key_id!, nonce: row!.nonce!, ciphertext: row!.ciphertext! }
    expect(new SecretKeyRing(KEY).open(agent.id, 'OPENAI_API_KEY', sealed)).toBe(value)
    expect(() => new SecretKeyRing(randomBytes(32)).open(agent.id, 'OPENAI_API_KEY', sealed)).toThrow()
    expect(() => new SecretKeyRing(KEY).open(agent.id, 'ANTHROPIC_API_KEY', sealed)).toThrow()
  })

  it('never logs a value, also where it logs about a secret', async () => {
    const agent = await createTestAgent(api, owner.token, 'secret-unlogged')
    const value = `never-logged-${randomBytes(8).toString('hex')}`
    logLines.length = 0
    await put(agent.id, 'CHANNEL_TOKEN', { value })
    await put(agent.id, 'CHANNEL_TOKEN', { value: `${value}-2` })
    await list(agent.id)
    // A row sealed by a key this platform does not hold: opening the agent's secrets logs a warning naming it.
    const foreign = new SecretKeyRing(randomBytes(32)).seal(agent.id, 'LOST_KEY', value)
    await api.db.execute(sql`insert into agent_secrets (agent_id, name, key_id, nonce, ciphertext)
      values (${agent.id}, 'LOST_KEY', ${foreign.keyId}, ${foreign.nonce}, ${foreign.ciphertext})`)
    expect((await api.internal('POST', INTERNAL_PATHS.wake(agent.id))).status).toBe(202)
    expect(lastSpec(agent.id).secrets.CHANNEL_TOKEN).toBe(`${value}-2`)
    expect(lastSpec(agent.id).secrets.LOST_KEY).toBeUndefined()
    const warning = logLines.find((line) => line.includes('LOST_KEY'))
    expect(warning).toContain('cannot be opened')
    expect(logLines.filter((line) => line.includes(value))).toEqual([])
  })

  it.each([
    ['a lower-case name', 'github_token', { value: 'x' }, 'name'],
    ['a name starting with a digit', '1TOKEN', { value: 'x' }, 'name'],
    ['a name over 64 characters', `A${'B'.repeat(64)}`, { value: 'x' }, 'name'],
    ['a value over 16 KB', 'BIG_VALUE', { value: 'x'.repeat(MAX_SECRET_VALUE_BYTES + 1) }, 'value'],
    ['a multi-byte value over 16 KB in UTF-8', 'BIG_VALUE', { value: 'é'.repeat(MAX_SECRET_VALUE_BYTES / 2 + 1) }, 'value'],
    ['no value', 'NO_VALUE', {}, 'value'],
    ['a value that is not a string', 'NUMBER', { value: 42 }, 'value'],
    ['an unknown field', 'EXTRA', { value: 'x', agentId: 'other' }, 'agentId'],
  ])('answers %s with 422 naming the field, and changes nothing', async (_label, name, body, field) => {
    const agent = await createTestAgent(api, owner.token, `bad-${randomBytes(4).toString('hex')}`)
    expect((await put(agent.id, 'KEPT', { value: 'kept-value' })).status).toBe(201)
    const before = await rows(agent.id)
    const problem = await expectProblem(await put(agent.id, name, body), 422, 'validation-failed')
    expect(String(problem.detail)).toContain(field)
    expect(await rows(agent.id)).toEqual(before)
    expect((await list(agent.id)).map((item) => item.name)).toEqual(['KEPT'])
  })

  it('accepts a value of exactly 16 KB', async () => {
    const agent = await createTestAgent(api, owner.token, 'secret-max-size')
    expect((await put(agent.id, 'MAX_VALUE', { value: 'v'.repeat(MAX_SECRET_VALUE_BYTES) })).status).toBe(201)
  })

  it('answers an unknown agent with 404', async () => {
    await expectProblem(await put('01890000-0000-7000-8000-000000000000', 'TOKEN', { value: 'x' }), 404, 'not-found')
    await expectProblem(await api.v1('GET', '/v1/agents/not-an-id/secrets', { token: owner.token }), 404, 'not-found')
  })
})

describe('the runtime config', () => {
  it('carries the platform defaults with the agent\'s own secrets over them', async () => {
    const agent = await createTestAgent(api, owner.token, 'secret-overlay')
    expect(lastSpec(agent.id).secrets).toEqual(PLATFORM_SECRETS)
    await put(agent.id, 'OPENAI_BASE_URL', { value: 'http://127.0.0.1:11434/v1' })
    await put(agent.id, 'MCP_TOKEN', { value: 'mcp-token-value' })
    // The change reaches the driver at once (a running runtime gets the new config; a sleeping one at its wake).
    expect(lastSpec(agent.id).secrets).toEqual({
      OPENAI_API_KEY: 'sk-platform-default', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', MCP_TOKEN: 'mcp-token-value',
    })
    await api.v1('DELETE', `/v1/agents/${agent.id}/secrets/OPENAI_BASE_URL`, { token: owner.token })
    expect(lastSpec(agent.id).secrets.OPENAI_BASE_URL).toBe(PLATFORM_SECRETS.OPENAI_BASE_URL)
  })

  it('gives one tenant\'s secrets and MCP servers to its own agent only, never another tenant\'s', async () => {
    const a = await createOwner(api, 'secret-iso-a')
    const b = await createOwner(api, 'secret-iso-b')
    const agentA = await createTestAgent(api, a.token, 'secret-iso-a-agent')
    const agentB = await createTestAgent(api, b.token, 'secret-iso-b-agent')
    const siblingA = await createTestAgent(api, a.token, 'secret-iso-a-sibling')
    expect((await put(agentA.id, 'A_ONLY', { value: 'a-secret-value' }, a.token)).status).toBe(201)
    const patched = await api.v1('PATCH', `/v1/agents/${agentA.id}`, {
      token: a.token, body: { mcpServers: [{ name: 'amcp', url: 'http://93.184.216.34/mcp', headers: { authorization: 'A_ONLY' } }] },
    })
    expect(patched.status).toBe(200)
    // Tenant B cannot read, set or delete them, and its agent's config holds none of them.
    await expectProblem(await api.v1('GET', `/v1/agents/${agentA.id}/secrets`, { token: b.token }), 404, 'not-found')
    await expectProblem(await put(agentA.id, 'A_ONLY', { value: 'overwritten' }, b.token), 404, 'not-found')
    await expectProblem(await api.v1('DELETE', `/v1/agents/${agentA.id}/secrets/A_ONLY`, { token: b.token }), 404, 'not-found')

    const specs = await api.workloads.desiredSpecs()
    const specOf = (id: string) => specs.find((spec) => spec.agentId === id)!
    expect(specOf(agentA.id).secrets.A_ONLY).toBe('a-secret-value')
    expect(specOf(agentA.id).mcpServers).toEqual([{ name: 'amcp', url: 'http://93.184.216.34/mcp', headers: { authorization: 'A_ONLY' } }])
    for (const other of [agentB.id, siblingA.id]) {
      expect(JSON.stringify(specOf(other))).not.toContain('a-secret-value')
      expect(specOf(other).secrets.A_ONLY).toBeUndefined()
      expect(specOf(other).mcpServers).toEqual([])
    }
    for (const spec of specs) if (spec.agentId !== agentA.id) expect(JSON.stringify(spec)).not.toContain('a-secret-value')
  })

  it('refuses (409) to delete a secret an MCP server sends, and deletes it once the server is gone', async () => {
    const agent = await createTestAgent(api, owner.token, 'secret-in-use')
    await put(agent.id, 'MCP_AUTH', { value: 'Bearer t' })
    const servers = [{ name: 'tools', url: 'https://93.184.216.34/mcp', headers: { authorization: 'MCP_AUTH' } }]
    expect((await api.v1('PATCH', `/v1/agents/${agent.id}`, { token: owner.token, body: { mcpServers: servers } })).status).toBe(200)
    const problem = await expectProblem(await api.v1('DELETE', `/v1/agents/${agent.id}/secrets/MCP_AUTH`, { token: owner.token }), 409, 'secret-in-use')
    expect(problem.mcpServers).toEqual(['tools'])
    expect((await list(agent.id)).map((item) => item.name)).toEqual(['MCP_AUTH'])
    expect((await api.v1('PATCH', `/v1/agents/${agent.id}`, { token: owner.token, body: { mcpServers: [] } })).status).toBe(200)
    expect((await api.v1('DELETE', `/v1/agents/${agent.id}/secrets/MCP_AUTH`, { token: owner.token })).status).toBe(204)
  })
})

describe('the OpenAPI document', () => {
  it('describes the secrets routes and the tools and MCP servers of an agent', async () => {
    const doc = (await (await api.v1('GET', '/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> }
    }
    expect(Object.keys(doc.paths['/v1/agents/{id}/secrets/{name}']!).sort()).toEqual(['delete', 'put'])
    expect(Object.keys(doc.paths['/v1/agents/{id}/secrets']!)).toEqual(['get'])
    expect(Object.keys(doc.components.schemas.CreateAgent!.properties!)).toEqual(expect.arrayContaining(['tools', 'mcpServers']))
    expect(Object.keys(doc.components.schemas.UpdateAgent!.properties!)).toEqual(expect.arrayContaining(['tools', 'mcpServers']))
    expect(Object.keys(doc.components.schemas.SecretList!.properties!)).toEqual(['items'])
  })
})
