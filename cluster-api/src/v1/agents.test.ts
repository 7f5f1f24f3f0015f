import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
  owner = await createOwner(api, 'agents')
})
afterAll(() => api.close())

async function agentCount(): Promise<number> {
  const body = (await (await api.v1('GET', '/v1/agents?limit=100', { token: owner.token })).json()) as { items: unknown[] }
  return body.items.length
}

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const body = (await response.json()) as Record<string, unknown>
  expect(body).toMatchObject({ status, code, type: `https://myintell.ai/problems/${code}` })
  return body
}

describe('agents', () => {
  it('creates, gets, updates and deletes an agent, telling the driver each time', async () => {
    const created = await createTestAgent(api, owner.token, 'crud-agent', { persona: { systemPrompt: 'Hi', style: 'brief' } })
    expect(driver.calls).toContainEqual(expect.objectContaining({ op: 'ensure', agentId: created.id }))
    const got = await api.v1('GET', `/v1/agents/${created.id}`, { token: owner.token })
    expect(await got.json()).toMatchObject({ slug: 'crud-agent', visibility: 'private', desiredState: 'running', persona: { systemPrompt: 'Hi' } })

    const patched = await api.v1('PATCH', `/v1/agents/${created.id}`, { token: owner.token, body: { name: 'Renamed', visibility: 'public', model: { provider: 'openai', model: 'gpt-5', temperature: 0.3 } } })
    expect(patched.status).toBe(200)
    expect(await patched.json()).toMatchObject({ name: 'Renamed', visibility: 'public', model: { provider: 'openai', model: 'gpt-5', temperature: 0.3 } })
    const ensures = driver.calls.filter((c) => c.op === 'ensure' && c.agentId === created.id)
    expect(ensures.at(-1)?.spec).toMatchObject({ name: 'Renamed', visibility: 'public', model: { model: 'gpt-5' } })

    expect((await api.v1('DELETE', `/v1/agents/${created.id}`, { token: owner.token })).status).toBe(204)
    expect(driver.calls).toContainEqual({ op: 'remove', agentId: created.id })
    await expectProblem(await api.v1('GET', `/v1/agents/${created.id}`, { token: owner.token }), 404, 'not-found')
    await expectProblem(await api.v1('DELETE', `/v1/agents/${created.id}`, { token: owner.token }), 404, 'not-found')
  })

  it('pages through agents with a cursor, each agent exactly once', async () => {
    const pager = await createOwner(api, 'pager')
    const slugs = Array.from({ length: 7 }, (_, i) => `page-agent-${i}`)
    for (const slug of slugs) await createTestAgent(api, pager.token, slug)
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3'
      const page = (await (await api.v1('GET', `/v1/agents${query}`, { token: pager.token })).json()) as { items: Array<{ slug: string }>; nextCursor: string | null }
      seen.push(...page.items.map((a) => a.slug))
      cursor = page.nextCursor
      pages++
    } while (cursor)
    expect(seen).toEqual(slugs)
    expect(pages).toBe(3)
  })
})

describe('bad input changes nothing', () => {
  it('answers malformed JSON with 400', async () => {
    const before = await agentCount()
    await expectProblem(await api.v1('POST', '/v1/agents', { token: owner.token, rawBody: '{"slug": "half', headers: { 'content-type': 'application/json' } }), 400, 'malformed-request')
    expect(await agentCount()).toBe(before)
  })

  it('answers wrong types with 422 naming the field', async () => {
    const before = await agentCount()
    const body = await expectProblem(await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'typed-wrong', name: 42 } }), 422, 'validation-failed')
    expect(body.detail).toContain('name')
    await expectProblem(await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'typed-wrong', name: 'x', visibility: 'secret' } }), 422, 'validation-failed')
    await expectProblem(await api.v1('POST', '/v1/agents', { token: owner.token, body: ['slug'] }), 422, 'validation-failed')
    expect(await agentCount()).toBe(before)
  })

  it('answers unknown fields with 422, also nested ones', async () => {
    const before = await agentCount()
    await expectProblem(await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'unknown-field', name: 'x', tenantId: owner.tenantId } }), 422, 'validation-failed')
    await expectProblem(await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'unknown-field', name: 'x', persona: { systemPrompt: '', style: '', admin: true } } }), 422, 'validation-failed')
    expect(await agentCount()).toBe(before)
  })

  it('answers a body over 1 MiB with 413', async () => {
    const before = await agentCount()
    const huge = { slug: 'too-big', name: 'x', persona: { systemPrompt: 'a'.repeat(1024 * 1024 + 10), style: '' } }
    await expectProblem(await api.v1('POST', '/v1/agents', { token: owner.token, body: huge }), 413, 'payload-too-large')
    expect(await agentCount()).toBe(before)
  })

  it('answers a non-JSON content type with 415', async () => {
    await expectProblem(await api.v1('POST', '/v1/agents', { token: owner.token, rawBody: 'slug=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type')
  })

  it('answers a duplicate slug with 409, across tenants too', async () => {
    await createTestAgent(api, owner.token, 'taken-slug')
    const before = await agentCount()
    await expectProblem(await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug: 'taken-slug', name: 'again' } }), 409, 'slug-taken')
    const other = await createOwner(api, 'dupe')
    await expectProblem(await api.v1('POST', '/v1/agents', { token: other.token, body: { slug: 'taken-slug', name: 'again' } }), 409, 'slug-taken')
    const mine = await createTestAgent(api, owner.token, 'rename-me')
    await expectProblem(await api.v1('PATCH', `/v1/agents/${mine.id}`, { token: owner.token, body: { slug: 'taken-slug' } }), 409, 'slug-taken')
    expect(await agentCount()).toBe(before + 1)
  })

  it.each([
    ['ab', 'length'],
    ['a'.repeat(41), 'length'],
    ['Ada', 'charset'],
    ['ada_lovelace', 'charset'],
    ['-ada', 'hyphen-edge'],
    ['ada-', 'hyphen-edge'],
    ['xn--ada', 'punycode'],
    ['admin', 'reserved'],
    ['www', 'reserved'],
  ])('answers the invalid slug %j with 422 naming the rule %s', async (slug, rule) => {
    const before = await agentCount()
    const body = await expectProblem(await api.v1('POST', '/v1/agents', { token: owner.token, body: { slug, name: 'x' } }), 422, 'invalid-slug')
    expect(body.rule).toBe(rule)
    expect(await agentCount()).toBe(before)
  })

  it('refuses an invalid slug on update and keeps the old one', async () => {
    const agent = await createTestAgent(api, owner.token, 'keeps-slug')
    const body = await expectProblem(await api.v1('PATCH', `/v1/agents/${agent.id}`, { token: owner.token, body: { slug: 'api' } }), 422, 'invalid-slug')
    expect(body.rule).toBe('reserved')
    expect(await (await api.v1('GET', `/v1/agents/${agent.id}`, { token: owner.token })).json()).toMatchObject({ slug: 'keeps-slug' })
  })

  it('answers out-of-range pagination with 422 and a malformed id with 404', async () => {
    await expectProblem(await api.v1('GET', '/v1/agents?limit=1000', { token: owner.token }), 422, 'validation-failed')
    await expectProblem(await api.v1('GET', '/v1/agents/not-a-uuid', { token: owner.token }), 404, 'not-found')
    await expectProblem(await api.v1('GET', '/v1/agents?cursor=bm90LWFuLWlk', { token: owner.token }), 422, 'invalid-cursor')
  })
})
