// Delegates as configured on the /v1 API of a real cluster-api: slugs of other agents of the same tenant, refused
// with a 422 naming the field when unknown, of another tenant (told apart from unknown by nothing), the agent itself,
// named twice, more than eight, or closing a cycle through any depth; a refused update changes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCliHome, runCli } from '../../cli/test-support/run-cli.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from './support/harness.ts'

let api: TestApi
let owner: { token: string; tenantId: string }
let other: { token: string; tenantId: string }

beforeAll(async () => {
  api = await startTestApi()
  owner = await createOwner(api, 'delegator')
  other = await createOwner(api, 'stranger')
}, 60_000)

afterAll(async () => {
  await api?.close()
})

interface Problem { status: number; code: string; detail: string; issues: { path: string; code: string; message: string }[] }

async function patchDelegates(id: string, delegates: unknown, token = owner.token): Promise<Response> {
  return api.v1('PATCH', `/v1/agents/${id}`, { token, body: { delegates } })
}

async function delegatesOf(id: string): Promise<string[]> {
  const agent = (await (await api.v1('GET', `/v1/agents/${id}`, { token: owner.token })).json()) as { delegates: string[] }
  return agent.delegates
}

describe('delegates on create and update', () => {
  it('stores delegates of the same tenant and returns them', async () => {
    const researcher = await createTestAgent(api, owner.token, 'cfg-researcher')
    await createTestAgent(api, owner.token, 'cfg-coder')
    const lead = await createTestAgent(api, owner.token, 'cfg-lead', { delegates: ['cfg-researcher', 'cfg-coder'] })
    expect(await delegatesOf(lead.id)).toEqual(['cfg-researcher', 'cfg-coder'])
    expect(await delegatesOf(researcher.id)).toEqual([])
    const cleared = await patchDelegates(lead.id, [])
    expect(cleared.status).toBe(200)
    expect(await delegatesOf(lead.id)).toEqual([])
  })

  it('refuses an unknown slug and another tenant\'s agent alike, naming the field', async () => {
    await createTestAgent(api, other.token, 'cfg-foreign')
    const lead = await createTestAgent(api, owner.token, 'cfg-lead2')
    const unknown = await patchDelegates(lead.id, ['cfg-nobody'])
    const foreign = await patchDelegates(lead.id, ['cfg-foreign'])
    for (const response of [unknown, foreign]) {
      expect(response.status).toBe(422)
      expect(response.headers.get('content-type')).toContain('application/problem+json')
    }
    const a = (await unknown.json()) as Problem
    const b = (await foreign.json()) as Problem
    expect(a.issues).toEqual([{ path: 'delegates.0', code: 'unknown-agent', message: 'no agent "cfg-nobody" in this tenant' }])
    expect(b.issues).toEqual([{ path: 'delegates.0', code: 'unknown-agent', message: 'no agent "cfg-foreign" in this tenant' }])
    // On create too, and nothing is created.
    const created = await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'cfg-never', name: 'never', delegates: ['cfg-foreign'] } })
    expect(created.status).toBe(422)
    const list = (await (await api.v1('GET', '/v1/agents?limit=100', { token: owner.token })).json()) as { items: { slug: string }[] }
    expect(list.items.map((item) => item.slug)).not.toContain('cfg-never')
    expect(await delegatesOf(lead.id)).toEqual([])
  })

  it('refuses the agent itself, a duplicate and more than eight', async () => {
    const self = await createTestAgent(api, owner.token, 'cfg-self')
    await createTestAgent(api, owner.token, 'cfg-helper')
    const itself = (await (await patchDelegates(self.id, ['cfg-self'])).json()) as Problem
    expect(itself.issues).toEqual([{ path: 'delegates.0', code: 'self-delegate', message: 'an agent cannot be its own delegate' }])
    const selfOnCreate = await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'cfg-narcissus', name: 'n', delegates: ['cfg-narcissus'] } })
    expect(selfOnCreate.status).toBe(422)

    const twice = await patchDelegates(self.id, ['cfg-helper', 'cfg-helper'])
    expect(twice.status).toBe(422)
    expect(((await twice.json()) as Problem).issues.map((i) => i.path)).toEqual(['delegates.1'])

    const nine = await patchDelegates(self.id, Array.from({ length: 9 }, (_v, i) => `cfg-x${i}`))
    expect(nine.status).toBe(422)
    expect(((await nine.json()) as Problem).issues[0]!.path).toBe('delegates')
    expect(await delegatesOf(self.id)).toEqual([])
  })

  it('refuses a cycle through any depth (A → B → A, A → B → C → A)', async () => {
    const a = await createTestAgent(api, owner.token, 'cyc-a')
    const b = await createTestAgent(api, owner.token, 'cyc-b', { delegates: ['cyc-a'] })
    const direct = await patchDelegates(a.id, ['cyc-b'])
    expect(direct.status).toBe(422)
    expect(((await direct.json()) as Problem).issues).toEqual([
      { path: 'delegates.0', code: 'delegation-cycle', message: 'would close a cycle: cyc-a → cyc-b → cyc-a' },
    ])

    const c = await createTestAgent(api, owner.token, 'cyc-c', { delegates: ['cyc-b'] })
    const deep = await patchDelegates(a.id, ['cyc-c'])
    expect(deep.status).toBe(422)
    expect(((await deep.json()) as Problem).issues[0]).toMatchObject({ code: 'delegation-cycle', message: 'would close a cycle: cyc-a → cyc-c → cyc-b → cyc-a' })
    expect(await delegatesOf(a.id)).toEqual([])

    // Without the edge back to A the same shape is a tree and is stored.
    expect((await patchDelegates(b.id, [])).status).toBe(200)
    expect((await patchDelegates(a.id, ['cyc-c'])).status).toBe(200)
    expect(await delegatesOf(a.id)).toEqual(['cyc-c'])
    expect(await delegatesOf(c.id)).toEqual(['cyc-b'])
  })

  it('follows a delegate that is renamed, and drops one that is deleted', async () => {
    const helper = await createTestAgent(api, owner.token, 'fol-helper')
    const lead = await createTestAgent(api, owner.token, 'fol-lead', { delegates: ['fol-helper'] })
    expect((await api.v1('PATCH', `/v1/agents/${helper.id}`, { token: owner.token, body: { slug: 'fol-helper2' } })).status).toBe(200)
    expect(await delegatesOf(lead.id)).toEqual(['fol-helper2'])
    expect((await api.v1('DELETE', `/v1/agents/${helper.id}`, { token: owner.token })).status).toBe(204)
    expect(await delegatesOf(lead.id)).toEqual([])
    // A new agent taking the freed slug is not a delegate of anyone.
    await createTestAgent(api, owner.token, 'fol-helper2')
    expect(await delegatesOf(lead.id)).toEqual([])
  })

  it('refuses a body that is not a list of slugs', async () => {
    const agent = await createTestAgent(api, owner.token, 'cfg-shape')
    for (const bad of ['cfg-helper', [42], [''], null]) {
      const response = await patchDelegates(agent.id, bad)
      expect(response.status).toBe(422)
    }
    expect(await delegatesOf(agent.id)).toEqual([])
  })

  it('describes delegates in the OpenAPI document', async () => {
    const doc = (await (await api.v1('GET', '/v1/openapi.json')).json()) as { components: { schemas: Record<string, { properties: Record<string, { maxItems?: number }> }> } }
    for (const name of ['CreateAgent', 'UpdateAgent', 'Agent']) expect(doc.components.schemas[name]!.properties).toHaveProperty('delegates')
    expect(doc.components.schemas.CreateAgent!.properties.delegates!.maxItems).toBe(8)
  })

  it('does not reveal another tenant\'s agent to a PATCH of it', async () => {
    const mine = await createTestAgent(api, owner.token, 'cfg-mine')
    const response = await patchDelegates(mine.id, [], other.token)
    expect(response.status).toBe(404)
  })
})

describe('myintell agents --delegate', { timeout: 60_000 }, () => {
  it('sets, shows, refuses and clears delegates', async () => {
    const home = createCliHome()
    const cli = (...args: string[]) => runCli(args, home)
    try {
      expect((await cli('login', '--dev', '--email', 'cli-delegates@example.test', '--api-url', `http://api.localhost:${api.port}`)).code).toBe(0)
      expect((await cli('tenants', 'create', 'cli-delegates', '--name', 'CLI delegates')).code).toBe(0)
      expect((await cli('agents', 'create', 'cli-researcher')).code).toBe(0)
      expect((await cli('agents', 'create', 'cli-coder')).code).toBe(0)
      const created = await cli('agents', 'create', 'cli-lead', '--delegate', 'cli-researcher', '--delegate', 'cli-coder')
      expect(created.code).toBe(0)
      expect((await cli('agents', 'get', 'cli-lead')).stdout).toMatch(/delegates:\s+cli-researcher, cli-coder/)

      const cycle = await cli('agents', 'update', 'cli-researcher', '--delegate', 'cli-lead')
      expect(cycle.code).not.toBe(0)
      expect(cycle.stderr).toContain('delegates.0')
      expect((await cli('agents', 'update', 'cli-lead', '--delegate', 'x', '--no-delegates')).code).not.toBe(0)

      const cleared = await cli('agents', 'update', 'cli-lead', '--no-delegates')
      expect(cleared.code).toBe(0)
      expect((await cli('agents', 'get', 'cli-lead')).stdout).toMatch(/delegates:\s+none/)
    } finally {
      home.remove()
    }
  })
})
