// The production identity path: session tokens verified against Clerk's JWKS (a double speaking the
// same protocol) and Clerk webhooks verified with svix.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeClerk, type FakeClerk } from '../fakes/clerk-jwks.ts'
import { clerkUserCreated, clerkUserDeleted, sendClerkWebhook, TEST_CLERK_WEBHOOK_SECRET } from '../fakes/clerk-webhooks.ts'
import { findUserById } from '../../cluster-api/src/db/queries/users.ts'
import { startTestApi, type TestApi } from './support/harness.ts'

let clerk: FakeClerk
let api: TestApi
beforeAll(async () => {
  clerk = await startFakeClerk()
  api = await startTestApi({
    auth: { issuer: clerk.issuer, jwksUrl: clerk.jwksUrl },
    clerkWebhookSecret: TEST_CLERK_WEBHOOK_SECRET,
  })
})
afterAll(async () => {
  await api.close()
  await clerk.close()
})

describe('Clerk session tokens', () => {
  it('accepts a Clerk session token and lets the user create a tenant', async () => {
    const token = await clerk.sessionToken('user_2clerkA')
    const created = await api.v1('POST', '/v1/tenants', { token, body: { slug: 'clerk-tenant', name: 'Clerk Co' } })
    expect(created.status).toBe(201)
    expect((await api.v1('GET', '/v1/tenants', { token })).status).toBe(200)
    expect(clerk.jwksRequests).toBeGreaterThan(0)
  })

  it('refuses an expired Clerk token and one claiming another issuer', async () => {
    expect((await api.v1('GET', '/v1/tenants', { token: await clerk.sessionToken('user_2clerkA', { expiresInSeconds: -60 }) })).status).toBe(401)
    expect((await api.v1('GET', '/v1/tenants', { token: await clerk.sessionToken('user_2clerkA', { issuer: 'https://evil.clerk.accounts.dev' }) })).status).toBe(401)
  })

  it('refuses a token from another Clerk instance (another key)', async () => {
    const other = await startFakeClerk()
    try {
      const token = await other.sessionToken('user_2clerkA', { issuer: clerk.issuer })
      expect((await api.v1('GET', '/v1/tenants', { token })).status).toBe(401)
    } finally {
      await other.close()
    }
  })

  it('offers no dev sign-in and no local JWKS when Clerk is the issuer', async () => {
    expect((await api.v1('POST', '/v1/dev/sign-in', { body: { email: 'a@b.co' } })).status).toBe(404)
    expect((await fetch(`${api.url}/.well-known/jwks.json`)).status).toBe(404)
  })
})

describe('Clerk webhooks', () => {
  it('adds a user on user.created and removes it with its memberships on user.deleted', async () => {
    const created = await sendClerkWebhook(`${api.url}/v1/webhooks/clerk`, clerkUserCreated('user_2hooked', 'hooked@example.test'))
    expect(created.status).toBe(200)
    expect(await findUserById(api.db, 'user_2hooked')).toMatchObject({ email: 'hooked@example.test' })

    const token = await clerk.sessionToken('user_2hooked')
    const tenant = (await (await api.v1('POST', '/v1/tenants', { token, body: { slug: 'hooked-tenant', name: 'Hooked' } })).json()) as { id: string }
    expect((await sendClerkWebhook(`${api.url}/v1/webhooks/clerk`, clerkUserDeleted('user_2hooked'))).status).toBe(200)
    expect(await findUserById(api.db, 'user_2hooked')).toBeNull()
    const { listTenantIdsOfUser } = await import('../../cluster-api/src/db/queries/tenants.ts')
    expect(await listTenantIdsOfUser(api.db, 'user_2hooked')).toEqual([])
    expect(tenant.id).toBeTruthy()
  })

  it('refuses a webhook signed with another secret, or replayed too late, and changes nothing', async () => {
    const forged = await sendClerkWebhook(`${api.url}/v1/webhooks/clerk`, clerkUserCreated('user_2forged', 'f@example.test'), {
      secret: `whsec_${Buffer.from('another-secret-another-secret-32b').toString('base64')}`,
    })
    expect(forged.status).toBe(401)
    expect(await forged.json()).toMatchObject({ code: 'invalid-webhook-signature' })
    const stale = await sendClerkWebhook(`${api.url}/v1/webhooks/clerk`, clerkUserCreated('user_2forged', 'f@example.test'), {
      timestamp: new Date(Date.now() - 60 * 60 * 1000),
    })
    expect(stale.status).toBe(401)
    const unsigned = await fetch(`${api.url}/v1/webhooks/clerk`, { method: 'POST', body: JSON.stringify(clerkUserCreated('user_2forged', 'f@example.test')) })
    expect(unsigned.status).toBe(401)
    expect(await findUserById(api.db, 'user_2forged')).toBeNull()
  })
})
