// An agent's model settings on create and update: only providers the runtime implements (wire/model-providers.ts)
// and model names of a sane shape; anything else is 422 naming the field, and nothing changes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODEL_PROVIDERS } from '../../../wire/model-providers.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from '../../../test/api/support/harness.ts'
import { createRecordingDriver, type RecordingDriver } from '../../../test/api/support/recording-driver.ts'

let api: TestApi
let driver: RecordingDriver
let owner: { token: string; userId: string; tenantId: string }

beforeAll(async () => {
  driver = createRecordingDriver()
  api = await startTestApi({
    driver,
    tenantDatabases: { name: 'postgres', provision: async (t) => `postgres://u:p@127.0.0.1:1/${t.slug}`, drop: async () => {} },
  })
  owner = await createOwner(api, 'models')
})
afterAll(() => api.close())

async function agentSlugs(): Promise<string[]> {
  const body = (await (await api.v1('GET', '/v1/agents?limit=100', { token: owner.token })).json()) as { items: Array<{ slug: string }> }
  return body.items.map((a) => a.slug).sort()
}

async function expectFieldRefused(response: Response, field: string) {
  expect(response.status).toBe(422)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const body = (await response.json()) as { code: string; detail: string; issues: Array<{ path: string }> }
  expect(body.code).toBe('validation-failed')
  expect(body.issues.map((i) => i.path)).toEqual([field])
  expect(body.detail).toContain(field)
}

let seq = 0
const slug = (prefix: string) => `${prefix}-${++seq}`

describe('model provider and model name', () => {
  it('accepts every provider the runtime implements, and model ids with slashes, dots and tags', async () => {
    const models = ['claude-sonnet-4-5', 'hf.co/org/repo-GGUF:Q4_K_M', 'meta-llama/Llama-3.1-8B-Instruct', 'llama3.2:latest', 'my model']
    for (const [i, provider] of MODEL_PROVIDERS.entries()) {
      const model = models[i % models.length]!
      const created = await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: slug('provider-ok'), name: provider, model: { provider, model } } })
      expect(created.status, provider).toBe(201)
      expect(await created.json(), provider).toMatchObject({ model: { provider, model } })
    }
  })

  it.each([
    ['../../etc/passwd'], [''], ['no-such-provider'], ['Anthropic'], ['openai '], ['local\n'], ['x'.repeat(51)],
  ])('refuses the provider %j on create with 422 naming model.provider, and creates nothing', async (provider) => {
    const before = await agentSlugs()
    await expectFieldRefused(await api.v1('POST', '/v1/agents', {
      token: owner.token, body: { slug: slug('bad-provider'), name: 'x', model: { provider, model: 'gpt-4o' } },
    }), 'model.provider')
    expect(await agentSlugs()).toEqual(before)
  })

  it.each([
    ['empty', ''],
    ['leading space', ' gpt-4o'],
    ['trailing newline', 'gpt-4o\n'],
    ['NUL', 'gpt\u0000x'],
    ['escape sequence', 'gpt\u001b[31m'],
    ['bidi override', 'gpt\u202e4o'],
    ['zero-width space', 'gpt\u200b4o'],
    ['201 characters', 'm'.repeat(201)],
  ])('refuses a model name with %s with 422 naming model.model, and creates nothing', async (_, model) => {
    const before = await agentSlugs()
    await expectFieldRefused(await api.v1('POST', '/v1/agents', {
      token: owner.token, body: { slug: slug('bad-model'), name: 'x', model: { provider: 'openai', model } },
    }), 'model.model')
    expect(await agentSlugs()).toEqual(before)
  })

  it('refuses a bad provider or model name on update and keeps the agent as it was, telling the driver nothing', async () => {
    const agent = await createTestAgent(api, owner.token, slug('keeps-model'), { model: { provider: 'local', model: 'local-dev' } })
    const ensures = () => driver.calls.filter((c) => c.op === 'ensure' && c.agentId === agent.id).length
    const before = ensures()
    await expectFieldRefused(await api.v1('PATCH', `/v1/agents/${agent.id}`, {
      token: owner.token, body: { name: 'Renamed', model: { provider: '../../etc/passwd', model: 'x' } },
    }), 'model.provider')
    await expectFieldRefused(await api.v1('PATCH', `/v1/agents/${agent.id}`, {
      token: owner.token, body: { model: { provider: 'anthropic', model: 'claude\r\nx' } },
    }), 'model.model')
    const got = await api.v1('GET', `/v1/agents/${agent.id}`, { token: owner.token })
    expect(await got.json()).toMatchObject({ name: agent.slug, model: { provider: 'local', model: 'local-dev' } })
    expect(ensures()).toBe(before)
  })

  it('lists the accepted providers in the OpenAPI document', async () => {
    const doc = (await (await api.v1('GET', '/v1/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }> }
    }
    expect(doc.components.schemas.ModelSettings?.properties?.provider?.enum).toEqual([...MODEL_PROVIDERS])
  })
})
