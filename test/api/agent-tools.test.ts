// Tools and MCP servers on agents through the real cluster-api: defaults, validation of every bad input as a 422
// naming the field with nothing stored, the egress rule on MCP URLs (after DNS, with the operator's allowlist), headers
// that must name the agent's own secrets, and the runtime config that carries them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_TOOLS, MAX_MCP_SERVERS } from '../../wire/agent-tools.ts'
import type { AgentSpec } from '../../cluster-api/src/drivers/types.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from './support/harness.ts'
import { createRecordingDriver, type RecordingDriver } from './support/recording-driver.ts'

/** A stand-in DNS: public names resolve to a public address, `internal.example.test` to a private one. */
const DNS: Record<string, string[]> = {
  'mcp.example.test': ['93.184.216.34'],
  'internal.example.test': ['10.1.2.3'],
  'mixed.example.test': ['93.184.216.34', '169.254.169.254'],
  'allowed.internal.test': ['10.9.9.9'],
}
const resolveHost = async (host: string) => {
  const found = DNS[host]
  if (!found) throw new Error(`ENOTFOUND ${host}`)
  return found
}
const tenantDatabases = { name: 'postgres' as const, provision: async (t: { slug: string }) => `postgres://u:p@127.0.0.1:1/${t.slug}`, drop: async () => {} }

let api: TestApi
let allowing: TestApi
let driver: RecordingDriver
let owner: { token: string; tenantId: string }

beforeAll(async () => {
  driver = createRecordingDriver()
  api = await startTestApi({ driver, resolveHost, tenantDatabases })
  allowing = await startTestApi({ resolveHost, tenantDatabases, egressAllow: '127.0.0.1,allowed.internal.test' })
  owner = await createOwner(api, 'tools')
})
afterAll(async () => {
  await api.close()
  await allowing.close()
})

const lastSpec = (agentId: string): AgentSpec => driver.calls.filter((call) => call.op === 'ensure' && call.agentId === agentId).at(-1)!.spec!
const getAgent = async (id: string) => (await (await api.v1('GET', `/v1/agents/${id}`, { token: owner.token })).json()) as Record<string, unknown>
const agentCount = async () => ((await (await api.v1('GET', '/v1/agents?limit=100', { token: owner.token })).json()) as { items: unknown[] }).items.length

async function expectRefused(response: Response, field: string) {
  expect(response.status).toBe(422)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const body = (await response.json()) as { code: string; detail: string; issues: Array<{ path: string }> }
  expect(body.code).toBe('validation-failed')
  expect(body.issues.map((issue) => issue.path)).toContain(field)
  expect(body.detail).toContain(field)
  return body
}

describe('tools on agents', () => {
  it('gives a new agent the default tools, and takes a list on create and update', async () => {
    const plain = await createTestAgent(api, owner.token, 'tools-default')
    expect((await getAgent(plain.id)).tools).toEqual([...DEFAULT_TOOLS])
    expect(lastSpec(plain.id).tools).toEqual([...DEFAULT_TOOLS])
    expect(lastSpec(plain.id).mcpServers).toEqual([])

    const chosen = await createTestAgent(api, owner.token, 'tools-chosen', { tools: ['http_fetch', 'workspace'] })
    expect((await getAgent(chosen.id)).tools).toEqual(['http_fetch', 'workspace'])
    const patched = await api.v1('PATCH', `/v1/agents/${chosen.id}`, { token: owner.token, body: { tools: [] } })
    expect(patched.status).toBe(200)
    expect(lastSpec(chosen.id).tools).toEqual([])
  })

  it.each([
    ['an unknown tool', { tools: ['shell'] }, 'tools.0'],
    ['a tool named twice', { tools: ['clock', 'clock'] }, 'tools.1'],
    ['tools that are not a list', { tools: 'memory' }, 'tools'],
  ])('refuses %s with 422 naming the field, on create and update, storing nothing', async (_label, body, field) => {
    const before = await agentCount()
    await expectRefused(await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'tools-refused', name: 'x', ...body } }), field)
    expect(await agentCount()).toBe(before)
    const agent = await createTestAgent(api, owner.token, `tools-keep-${field.replace('.', '-')}`)
    const stored = await getAgent(agent.id)
    await expectRefused(await api.v1('PATCH', `/v1/agents/${agent.id}`, { token: owner.token, body }), field)
    expect(await getAgent(agent.id)).toEqual(stored)
  })
})

describe('MCP servers on agents', () => {
  it('stores a server on a public address with a header naming the agent\'s secret, and hands it to the runtime', async () => {
    const agent = await createTestAgent(api, owner.token, 'mcp-ok', { mcpServers: [{ name: 'search', url: 'https://mcp.example.test/mcp' }] })
    expect(lastSpec(agent.id).mcpServers).toEqual([{ name: 'search', url: 'https://mcp.example.test/mcp' }])
    await expectRefused(await api.v1('PATCH', `/v1/agents/${agent.id}`, {
      token: owner.token, body: { mcpServers: [{ name: 'github', url: 'https://mcp.example.test/gh', headers: { authorization: 'GITHUB_MCP_TOKEN' } }] },
    }), 'mcpServers.0.headers.authorization')
    expect((await api.v1('PUT', `/v1/agents/${agent.id}/secrets/GITHUB_MCP_TOKEN`, { token: owner.token, body: { value: 'Bearer gh' } })).status).toBe(201)
    const servers = [{ name: 'github', url: 'https://mcp.example.test/gh', headers: { authorization: 'GITHUB_MCP_TOKEN' } }]
    const patched = await api.v1('PATCH', `/v1/agents/${agent.id}`, { token: owner.token, body: { mcpServers: servers } })
    expect(patched.status).toBe(200)
    expect((await patched.json() as { mcpServers: unknown }).mcpServers).toEqual(servers)
    expect(lastSpec(agent.id).mcpServers).toEqual(servers)
    expect(lastSpec(agent.id).secrets.GITHUB_MCP_TOKEN).toBe('Bearer gh')
  })

  const server = (extra: Record<string, unknown>) => ({ name: 'srv', url: 'https://mcp.example.test/mcp', ...extra })
  it.each([
    ['a name with capitals', [server({ name: 'Search' })], 'mcpServers.0.name'],
    ['a name over 32 characters', [server({ name: `a${'b'.repeat(32)}` })], 'mcpServers.0.name'],
    ['a name used twice', [server({}), server({ url: 'https://mcp.example.test/other' })], 'mcpServers.1.name'],
    ['an ftp URL', [server({ url: 'ftp://mcp.example.test/mcp' })], 'mcpServers.0.url'],
    ['a URL that is not one', [server({ url: 'not a url' })], 'mcpServers.0.url'],
    ['a URL on 127.0.0.1', [server({ url: 'http://127.0.0.1:3000/mcp' })], 'mcpServers.0.url'],
    ['a URL on 10.0.0.1', [server({ url: 'http://10.0.0.1/mcp' })], 'mcpServers.0.url'],
    ['a URL on 169.254.169.254', [server({ url: 'http://169.254.169.254/latest/meta-data' })], 'mcpServers.0.url'],
    ['a URL on [::1]', [server({ url: 'http://[::1]:3000/mcp' })], 'mcpServers.0.url'],
    ['a public name resolving to a private address', [server({ url: 'https://internal.example.test/mcp' })], 'mcpServers.0.url'],
    ['a name with one private address among public ones', [server({ url: 'https://mixed.example.test/mcp' })], 'mcpServers.0.url'],
    ['a name that does not resolve', [server({ url: 'https://nowhere.example.test/mcp' })], 'mcpServers.0.url'],
    ['credentials in the URL', [server({ url: 'https://user:pw@mcp.example.test/mcp' })], 'mcpServers.0.url'],
    ['a header naming a secret the agent does not have', [server({ headers: { authorization: 'MISSING_SECRET' } })], 'mcpServers.0.headers.authorization'],
    ['a header value that is not a secret name', [server({ headers: { authorization: 'Bearer raw-token' } })], 'mcpServers.0.headers.authorization'],
    ['a header the transport sets', [server({ headers: { host: 'SOME_SECRET' } })], 'mcpServers.0.headers.host'],
    ['an unknown field', [server({ token: 'x' })], 'mcpServers.0'],
    [`more than ${MAX_MCP_SERVERS} servers`, Array.from({ length: MAX_MCP_SERVERS + 1 }, (_, i) => server({ name: `s${i}` })), 'mcpServers'],
  ])('refuses %s with 422 naming the field, on create and update, storing nothing', async (_label, mcpServers, field) => {
    const before = await agentCount()
    await expectRefused(await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'mcp-refused', name: 'x', mcpServers } }), field)
    expect(await agentCount()).toBe(before)
    const agent = await createTestAgent(api, owner.token, `mcp-keep-${Math.random().toString(36).slice(2, 8)}`, { mcpServers: [server({ name: 'kept' })] })
    const stored = await getAgent(agent.id)
    const ensures = () => driver.calls.filter((call) => call.op === 'ensure' && call.agentId === agent.id).length
    const ensuredBefore = ensures()
    await expectRefused(await api.v1('PATCH', `/v1/agents/${agent.id}`, { token: owner.token, body: { mcpServers, name: 'renamed' } }), field)
    expect(await getAgent(agent.id)).toEqual(stored)
    expect(ensures()).toBe(ensuredBefore)
  })

  it('lets the operator\'s MYINTELL_EGRESS_ALLOW admit a private MCP server, and only that one', async () => {
    const other = await createOwner(allowing, 'tools-allow')
    const ok = await allowing.v1('POST', '/v1/agents', {
      token: other.token,
      body: { slug: 'mcp-allowed', name: 'x', mcpServers: [{ name: 'local', url: 'http://127.0.0.1:3000/mcp' }, { name: 'intra', url: 'http://allowed.internal.test/mcp' }] },
    })
    expect(ok.status).toBe(201)
    await expectRefused(await allowing.v1('POST', '/v1/agents', {
      token: other.token, body: { slug: 'mcp-not-allowed', name: 'x', mcpServers: [{ name: 'meta', url: 'http://169.254.169.254/' }] },
    }), 'mcpServers.0.url')
  })

  it('refuses another tenant\'s agent with 404 before judging its MCP servers', async () => {
    const agent = await createTestAgent(api, owner.token, 'mcp-other-tenant')
    const stranger = await createOwner(api, 'tools-stranger')
    const response = await api.v1('PATCH', `/v1/agents/${agent.id}`, {
      token: stranger.token, body: { mcpServers: [{ name: 'x', url: 'https://mcp.example.test/', headers: { authorization: 'ANY' } }] },
    })
    expect(response.status).toBe(404)
    expect((await getAgent(agent.id)).mcpServers).toEqual([])
  })
})
