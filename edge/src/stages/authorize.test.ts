import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { Principal } from '../../../wire/headers.ts'
import { CHAT_SCOPE, type RouteInfo, type Visibility } from '../../../wire/internal-api.ts'
import type { EdgeEnv } from '../context.ts'
import { errorResponse } from '../problems.ts'
import { authorize } from './authorize.ts'
import { ProblemError } from '../../../wire/problem.ts'

interface Caller {
  principal: Principal
  tenants: string[]
  scopes: string[] | null
}

/** The stage alone: what it lets through reaches the handler, which counts it (as the gate would). */
async function ask(visibility: Visibility, caller: Caller) {
  let reached = 0
  const route: RouteInfo = { slug: 'ada', agentId: 'agt_1', tenantId: 'ten_owner', visibility, state: 'ready' }
  const app = new Hono<EdgeEnv>()
  app.use(async (c, next) => {
    c.set('route', route)
    c.set('principal', caller.principal)
    c.set('principalTenants', caller.tenants)
    c.set('principalScopes', caller.scopes)
    await next()
  })
  app.use(authorize())
  app.all('*', (c) => {
    reached += 1
    return c.text('served')
  })
  app.onError((error) => (error instanceof ProblemError ? errorResponse(error) : new Response('unexpected', { status: 500 })))
  const response = await app.request('http://ada.localhost/')
  return { response, reached }
}

const ownKey = (scopes: string[]): Caller => ({ principal: 'key:k1', tenants: ['ten_owner'], scopes })

describe('authorize', () => {
  it("serves the owner's key that carries the chat scope", async () => {
    const { response, reached } = await ask('private', ownKey(['agents:read', CHAT_SCOPE]))
    expect(response.status).toBe(200)
    expect(reached).toBe(1)
  })

  it("refuses the owner's key without the chat scope with 403 insufficient-scope, naming the scope", async () => {
    const { response, reached } = await ask('private', ownKey(['agents:read', 'agents:write', 'usage:read']))
    expect(response.status).toBe(403)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="chat"')
    expect(await response.json()).toMatchObject({
      status: 403, code: 'insufficient-scope', type: 'https://myintell.ai/problems/insufficient-scope', requiredScope: 'chat',
    })
    expect(reached).toBe(0)
  })

  it('refuses a key without the chat scope on a public agent too', async () => {
    const { response, reached } = await ask('public', { principal: 'key:k2', tenants: ['ten_stranger'], scopes: ['usage:read'] })
    expect(response.status).toBe(403)
    expect((await response.json<{ code: string }>()).code).toBe('insufficient-scope')
    expect(reached).toBe(0)
  })

  it('refuses a key with no scope list at all', async () => {
    const { response } = await ask('private', ownKey([]))
    expect(response.status).toBe(403)
  })

  it("says 'another account' before 'scope' for another tenant's key", async () => {
    const { response } = await ask('private', { principal: 'key:k3', tenants: ['ten_other'], scopes: ['agents:read'] })
    expect(response.status).toBe(403)
    expect((await response.json<{ code: string }>()).code).toBe('forbidden')
  })

  it('does not apply scopes to signed-in members and anonymous callers of a public agent', async () => {
    const member = await ask('private', { principal: 'user:u1', tenants: ['ten_owner'], scopes: null })
    const anonymous = await ask('public', { principal: 'anonymous', tenants: [], scopes: null })
    expect([member.response.status, anonymous.response.status]).toEqual([200, 200])
  })

  it('refuses an anonymous caller of a private agent with 401', async () => {
    const { response, reached } = await ask('private', { principal: 'anonymous', tenants: [], scopes: null })
    expect(response.status).toBe(401)
    expect(reached).toBe(0)
  })
})
