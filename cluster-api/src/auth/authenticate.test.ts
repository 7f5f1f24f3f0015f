import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose'
import { startTestApi, createOwner, type TestApi } from '../../../test/api/support/harness.ts'
import { memberships, signingKeys } from '../db/schema/index.ts'
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from './local-issuer.ts'

let api: TestApi
let owner: { token: string; userId: string; tenantId: string }
let serverKey: { kid: string; key: CryptoKey }

beforeAll(async () => {
  api = await startTestApi()
  owner = await createOwner(api, 'authn')
  const [row] = await api.db.select().from(signingKeys)
  serverKey = { kid: row!.kid, key: (await importJWK(row!.privateJwk as JWK, 'ES256')) as CryptoKey }
})
afterAll(() => api.close())

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

function mint(claims: Record<string, unknown>, options: { issuer?: string; audience?: string; exp?: number; key?: CryptoKey; kid?: string } = {}) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: options.kid ?? serverKey.kid })
    .setSubject(owner.userId).setIssuer(options.issuer ?? LOCAL_ISSUER).setAudience(options.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt(now - 10).setExpirationTime(options.exp ?? now + 600).sign(options.key ?? serverKey.key)
}

async function expect401(token: string) {
  const response = await api.v1('GET', '/v1/agents', { token })
  expect(response.status).toBe(401)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  expect(await response.json()).toMatchObject({ code: 'unauthorized', status: 401 })
}

describe('session tokens', () => {
  it('accepts a token minted by the local issuer, verified through its own JWKS', async () => {
    const response = await api.v1('GET', '/v1/agents', { token: owner.token })
    expect(response.status).toBe(200)
    const jwks = (await (await fetch(`${api.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] }
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).not.toHaveProperty('d')
  })

  it('accepts a correctly signed token it minted by hand (control for the cases below)', async () => {
    expect((await api.v1('GET', '/v1/agents', { token: await mint({}) })).status).toBe(200)
  })

  it('refuses alg none', async () => {
    const now = Math.floor(Date.now() / 1000)
    await expect401(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: owner.userId, iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, exp: now + 600 })}.`)
  })

  it('refuses an expired token', async () => {
    await expect401(await mint({}, { exp: Math.floor(Date.now() / 1000) - 120 }))
  })

  it('refuses a token signed by another key, even with the right kid', async () => {
    const forger = await generateKeyPair('ES256')
    await expect401(await mint({}, { key: forger.privateKey }))
  })

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await mint({})).split('.')
    const now = Math.floor(Date.now() / 1000)
    await expect401(`${header}.${b64({ sub: 'user_someone_else', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, exp: now + 600 })}.${signature}`)
  })

  it('refuses the wrong issuer and the wrong audience', async () => {
    await expect401(await mint({}, { issuer: 'https://evil.example' }))
    await expect401(await mint({}, { audience: 'someone-else' }))
  })

  it('refuses an HS256 token made with the public key as the secret', async () => {
    const jwks = (await (await fetch(`${api.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] }
    const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]))
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: serverKey.kid }).setSubject(owner.userId)
      .setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setExpirationTime('10m').sign(secret)
    await expect401(token)
  })

  it('refuses garbage and a non-Bearer scheme', async () => {
    await expect401('not-a-jwt')
    const response = await api.v1('GET', '/v1/agents', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } })
    expect(response.status).toBe(401)
  })

  it('lets an expired token through to dev sign-in, so the user can sign in again', async () => {
    const expired = await mint({}, { exp: Math.floor(Date.now() / 1000) - 120 })
    const response = await api.v1('POST', '/v1/dev/sign-in', { token: expired, body: { email: 'again@example.test' } })
    expect(response.status).toBe(200)
  })

  it('answers 401 without credentials on a protected route', async () => {
    const response = await api.v1('GET', '/v1/agents')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
  })
})

describe('API keys as credentials', () => {
  it('authenticates with a key, refuses it once revoked, and never lists the secret', async () => {
    const created = await api.v1('POST', '/v1/api-keys', { token: owner.token, body: { name: 'ci', scopes: ['agents:read', 'agents:write'] } })
    expect(created.status).toBe(201)
    const key = (await created.json()) as { id: string; key: string; prefix: string }
    expect(key.key).toMatch(new RegExp(`^mi_${key.prefix}_[A-Za-z0-9_-]{43}$`))
    expect((await api.v1('GET', '/v1/agents', { token: key.key })).status).toBe(200)

    const listed = await (await api.v1('GET', '/v1/api-keys', { token: owner.token })).text()
    // The secret is base64url and may itself contain '_': cut it off after the prefix, not at the next '_'.
    expect(listed).not.toContain(key.key.slice(`mi_${key.prefix}_`.length))
    expect(listed).toContain(key.prefix)
    const row = (JSON.parse(listed) as { items: Array<{ id: string; lastUsedAt: string | null }> }).items.find((k) => k.id === key.id)
    expect(row?.lastUsedAt).not.toBeNull()

    expect((await api.v1('DELETE', `/v1/api-keys/${key.id}`, { token: owner.token })).status).toBe(200)
    const refused = await api.v1('GET', '/v1/agents', { token: key.key })
    expect(refused.status).toBe(401)
  })

  it('refuses a key with a wrong secret but a real prefix', async () => {
    const created = await api.v1('POST', '/v1/api-keys', { token: owner.token, body: { name: 'x' } })
    const key = (await created.json()) as { key: string; prefix: string }
    expect((await api.v1('GET', '/v1/agents', { token: `mi_${key.prefix}_${'A'.repeat(43)}` })).status).toBe(401)
  })

  it('enforces scopes: a read-only key cannot create agents or keys', async () => {
    const created = await api.v1('POST', '/v1/api-keys', { token: owner.token, body: { name: 'ro', scopes: ['agents:read'] } })
    const key = (await created.json()) as { key: string }
    const agent = await api.v1('POST', '/v1/agents', { token: key.key, body: { slug: 'scoped-out', name: 'x' } })
    expect(agent.status).toBe(403)
    expect(await agent.json()).toMatchObject({ code: 'insufficient-scope' })
    expect((await api.v1('POST', '/v1/api-keys', { token: key.key, body: { name: 'escalate' } })).status).toBe(403)
    expect((await api.v1('POST', '/v1/tenants', { token: key.key, body: { slug: 'key-tenant', name: 'x' } })).status).toBe(403)
  })

  it('refuses to let a key mint a key that manages keys, so a leaked key cannot outlive its revocation', async () => {
    const created = await api.v1('POST', '/v1/api-keys', { token: owner.token, body: { name: 'manager', scopes: ['api-keys:write', 'chat'] } })
    const manager = (await created.json()) as { id: string; key: string }

    for (const scopes of [['api-keys:write'], ['api-keys:write', 'chat']]) {
      const clone = await api.v1('POST', '/v1/api-keys', { token: manager.key, body: { name: 'clone', scopes } })
      expect(clone.status, scopes.join()).toBe(403)
      expect(clone.headers.get('content-type')).toBe('application/problem+json')
      expect(await clone.json()).toMatchObject({
        status: 403, code: 'grant-needs-user', scope: 'api-keys:write',
        detail: expect.stringContaining('signed in as an owner or admin'),
      })
    }
    const listed = (await (await api.v1('GET', '/v1/api-keys', { token: owner.token })).json()) as { items: Array<{ name: string }> }
    expect(listed.items.map((k) => k.name)).not.toContain('clone')

    // What it may still mint cannot manage keys, and is revoked with it (cluster-api/src/v1/api-keys.test.ts).
    const child = (await (await api.v1('POST', '/v1/api-keys', { token: manager.key, body: { name: 'child', scopes: ['chat'] } })).json()) as { key: string }
    expect((await api.v1('POST', '/v1/api-keys', { token: child.key, body: { name: 'heir', scopes: ['chat'] } })).status).toBe(403)
    expect((await api.v1('DELETE', `/v1/api-keys/${manager.id}`, { token: owner.token })).status).toBe(200)
    expect((await api.v1('GET', '/v1/api-keys', { token: manager.key })).status).toBe(401)
    expect((await api.v1('POST', '/v1/api-keys', { token: child.key, body: { name: 'heir', scopes: ['chat'] } })).status).toBe(401)
  })

  it('lets a signed-in admin create a key that manages keys', async () => {
    const admin = await api.signIn('keys-admin@example.test')
    await api.db.insert(memberships).values({ tenantId: owner.tenantId, userId: admin.userId, role: 'admin' })
    const created = await api.v1('POST', '/v1/api-keys', { token: admin.token, body: { name: 'admin-made', scopes: ['api-keys:write'] } })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ scopes: ['api-keys:write'] })
  })

  it('lets a key that manages keys grant only scopes it holds itself', async () => {
    const created = await api.v1('POST', '/v1/api-keys', { token: owner.token, body: { name: 'keymaster', scopes: ['api-keys:write', 'chat'] } })
    const keymaster = (await created.json()) as { key: string }

    const stronger = await api.v1('POST', '/v1/api-keys', { token: keymaster.key, body: { name: 'stronger', scopes: ['chat', 'agents:write'] } })
    expect(stronger.status).toBe(403)
    expect(await stronger.json()).toMatchObject({ code: 'insufficient-scope', missingScopes: ['agents:write'] })
    // The default (chat, agents:read) is more than this key holds, so it is refused too, not silently narrowed.
    expect((await api.v1('POST', '/v1/api-keys', { token: keymaster.key, body: { name: 'default' } })).status).toBe(403)

    const weaker = await api.v1('POST', '/v1/api-keys', { token: keymaster.key, body: { name: 'weaker', scopes: ['chat'] } })
    expect(weaker.status).toBe(201)
    expect(await weaker.json()).toMatchObject({ scopes: ['chat'] })
    const listed = (await (await api.v1('GET', '/v1/api-keys', { token: owner.token })).json()) as { items: Array<{ name: string }> }
    expect(listed.items.map((k) => k.name)).not.toContain('stronger')
  })

  it('lets a signed-in owner grant any scope', async () => {
    const all = ['agents:read', 'agents:write', 'api-keys:write', 'usage:read', 'chat']
    const created = await api.v1('POST', '/v1/api-keys', { token: owner.token, body: { name: 'all', scopes: all } })
    expect(created.status).toBe(201)
    expect(((await created.json()) as { scopes: string[] }).scopes.sort()).toEqual([...all].sort())
  })
})
