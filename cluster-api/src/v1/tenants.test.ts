import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOwner, startTestApi, type TestApi } from '../../../test/api/support/harness.ts'
import { memberships } from '../db/schema/index.ts'

let api: TestApi
beforeAll(async () => { api = await startTestApi() })
afterAll(() => api.close())

describe('tenants', () => {
  it('makes the creator the owner and lists only the caller\'s tenants', async () => {
    const a = await createOwner(api, 'tenant-a')
    const b = await createOwner(api, 'tenant-b')
    const listed = (await (await api.v1('GET', '/v1/tenants', { token: a.token })).json()) as { items: Array<{ id: string; role: string }> }
    expect(listed.items).toEqual([expect.objectContaining({ id: a.tenantId, role: 'owner', slug: 'tenant-a-tenant' })])
    expect(listed.items.map((t) => t.id)).not.toContain(b.tenantId)
  })

  it('updates the name and refuses unknown fields and an empty name', async () => {
    const a = await createOwner(api, 'rename')
    const ok = await api.v1('PATCH', `/v1/tenants/${a.tenantId}`, { token: a.token, body: { name: 'Renamed Inc' } })
    expect(await ok.json()).toMatchObject({ name: 'Renamed Inc' })
    expect((await api.v1('PATCH', `/v1/tenants/${a.tenantId}`, { token: a.token, body: { slug: 'sneaky' } })).status).toBe(422)
    expect((await api.v1('PATCH', `/v1/tenants/${a.tenantId}`, { token: a.token, body: { name: '' } })).status).toBe(422)
    expect(await (await api.v1('GET', `/v1/tenants/${a.tenantId}`, { token: a.token })).json()).toMatchObject({ name: 'Renamed Inc', slug: 'rename-tenant' })
  })

  it('refuses a duplicate or invalid tenant slug', async () => {
    const a = await createOwner(api, 'dup-tenant')
    expect((await api.v1('POST', '/v1/tenants', { token: a.token, body: { slug: 'dup-tenant-tenant', name: 'x' } })).status).toBe(409)
    const invalid = await api.v1('POST', '/v1/tenants', { token: a.token, body: { slug: 'Bad Slug', name: 'x' } })
    expect(invalid.status).toBe(422)
    expect(await invalid.json()).toMatchObject({ code: 'invalid-slug', rule: 'charset' })
  })

  it('asks a user with several tenants to choose one with X-MyIntell-Tenant', async () => {
    const a = await createOwner(api, 'multi')
    const second = (await (await api.v1('POST', '/v1/tenants', { token: a.token, body: { slug: 'multi-second', name: 'Second' } })).json()) as { id: string }
    const ambiguous = await api.v1('GET', '/v1/agents', { token: a.token })
    expect(ambiguous.status).toBe(400)
    expect(await ambiguous.json()).toMatchObject({ code: 'tenant-required' })
    const chosen = await api.v1('POST', '/v1/agents', { token: a.token, body: { slug: 'in-second', name: 'x' }, headers: { 'x-myintell-tenant': second.id } })
    expect(await chosen.json()).toMatchObject({ tenantId: second.id })
  })

  it('lets a member manage agents but not API keys or the tenant', async () => {
    const a = await createOwner(api, 'roles')
    const member = await api.signIn('member@example.test')
    await api.db.insert(memberships).values({ tenantId: a.tenantId, userId: member.userId, role: 'member' })
    expect((await api.v1('POST', '/v1/agents', { token: member.token, body: { slug: 'member-made', name: 'x' } })).status).toBe(201)
    expect((await api.v1('POST', '/v1/api-keys', { token: member.token, body: { name: 'nope' } })).status).toBe(403)
    expect((await api.v1('PATCH', `/v1/tenants/${a.tenantId}`, { token: member.token, body: { name: 'nope' } })).status).toBe(403)
  })

  it('answers a user without a tenant with a clear 400', async () => {
    const lonely = await api.signIn('lonely@example.test')
    const response = await api.v1('GET', '/v1/agents', { token: lonely.token })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ code: 'tenant-required', title: 'You belong to no tenant yet' })
  })
})

describe('system routes', () => {
  it('reports health with a database round trip', async () => {
    const response = await api.v1('GET', '/v1/health')
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok' })
  })

  it('serves an OpenAPI 3.1 document describing every /v1 route and the tenant header', async () => {
    const doc = (await (await api.v1('GET', '/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>> }
    expect(doc.openapi).toBe('3.1.0')
    for (const path of ['/v1/health', '/v1/tenants', '/v1/tenants/{id}', '/v1/agents', '/v1/agents/{id}', '/v1/api-keys', '/v1/api-keys/{id}', '/v1/usage']) {
      expect(doc.paths).toHaveProperty([path])
    }
    expect(doc.paths['/v1/agents']!.get!.parameters!.map((p) => p.name)).toContain('x-myintell-tenant')
  })

  it('answers unknown paths with 404 problem+json', async () => {
    const response = await api.v1('GET', '/v1/nothing-here')
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })

  it('refuses a malformed dev sign-in', async () => {
    expect((await api.v1('POST', '/v1/dev/sign-in', { body: { email: 'not-an-email' } })).status).toBe(422)
    expect((await api.v1('POST', '/v1/dev/sign-in', { body: { email: 'a@b.co', admin: true } })).status).toBe(422)
  })
})
