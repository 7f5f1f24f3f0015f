// Session JWTs at the edge, inside workerd: tokens signed with the fake platform's JWKS key (what AUTH_JWKS_URL
// points at in edge/vitest.config.ts) are judged by the shared policy (wire/session-jwt.ts), as the cluster-api
// judges them. A refused token is a 401 from the authenticate stage; a key set that cannot be read is a 503 with
// Retry-After.

import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { fake, testEnv } from '../../test/fake-platform-client.ts'
import { configFor } from '../config.ts'
import type { EdgeEnv } from '../context.ts'
import { errorResponse } from '../problems.ts'
import { authenticate } from '../stages/authenticate.ts'
import { verifySessionToken } from './jwt.ts'
import { ProblemError } from '../../../wire/problem.ts'

const now = () => Math.floor(Date.now() / 1000)
const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
const auth = () => configFor(testEnv).auth

/**
 * The real authenticate stage (edge/src/stages/authenticate.ts) with the Worker's own configuration: a refused
 * session ends there with 401, before any call to the platform.
 */
async function callerStatus(token: string): Promise<{ status: number; code: string }> {
  const app = new Hono<EdgeEnv>()
  app.use(async (c, next) => {
    c.set('config', configFor(c.env))
    c.set('requestId', 'jwt-test')
    c.set('forwardHeaders', new Headers(c.req.raw.headers))
    await next()
  })
  app.use(authenticate())
  app.all('*', (c) => c.json({ code: 'served', principal: c.get('principal') }))
  app.onError((error) => (error instanceof ProblemError ? errorResponse(error) : new Response('{"code":"unexpected"}', { status: 500 })))
  const response = await app.request('http://ada.localhost/v1/chat', { headers: { authorization: `Bearer ${token}` } }, testEnv)
  return { status: response.status, code: (await response.json<{ code: string }>()).code }
}

const refused = { status: 401, code: 'invalid-credentials' }

describe('session JWTs at the edge', () => {
  it('accepts a good token signed by the configured JWKS (control)', async () => {
    const token = await fake.sessionToken('user_jwt_good', ['ten_elsewhere'], {})
    expect(await verifySessionToken(token, auth())).toBe('user_jwt_good')
  })

  it('refuses a correctly signed token without exp instead of honouring it forever', async () => {
    const token = await fake.sessionToken('user_jwt_noexp', [], { exp: null })
    expect(await verifySessionToken(token, auth())).toBeNull()
    expect(await callerStatus(token)).toEqual(refused)
  })

  it('refuses an expired token', async () => {
    const token = await fake.sessionToken('user_jwt_expired', [], { exp: now() - 120, iat: now() - 400 })
    expect(await callerStatus(token)).toEqual(refused)
  })

  it('refuses a token that would live longer than a day', async () => {
    const token = await fake.sessionToken('user_jwt_long', [], { exp: now() + 365 * 24 * 3600 })
    expect(await verifySessionToken(token, auth())).toBeNull()
    expect(await callerStatus(token)).toEqual(refused)
  })

  it('refuses a wrong issuer and a wrong or missing audience', async () => {
    for (const claims of [{ iss: 'https://evil.example' }, { aud: 'someone-else' }, { aud: null }]) {
      const token = await fake.sessionToken('user_jwt_foreign', [], claims)
      expect(await callerStatus(token), JSON.stringify(claims)).toEqual(refused)
    }
  })

  it('refuses alg none, HS256 and algorithms not on the list', async () => {
    const claims = { sub: 'user_jwt_alg', iss: auth().issuer, aud: auth().audience, exp: now() + 300, iat: now() }
    const good = await fake.sessionToken('user_jwt_alg', [], {})
    const signature = good.split('.')[2]
    const hmacKey = await crypto.subtle.importKey('raw', new TextEncoder().encode('k'.repeat(48)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    const hsInput = `${b64({ alg: 'HS256', kid: 'fake-1' })}.${b64(claims)}`
    const hsSignature = new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, new TextEncoder().encode(hsInput)))
    const tokens = {
      none: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      HS256: `${hsInput}.${btoa(String.fromCharCode(...hsSignature)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`,
      RS384: `${b64({ alg: 'RS384', kid: 'fake-1' })}.${b64(claims)}.${signature}`,
      PS256: `${b64({ alg: 'PS256', kid: 'fake-1' })}.${b64(claims)}.${signature}`,
    }
    for (const [name, token] of Object.entries(tokens)) {
      expect(await verifySessionToken(token, auth()), name).toBeNull()
      expect(await callerStatus(token), name).toEqual(refused)
    }
  })

  it('answers 503 identity-unavailable with Retry-After when the JWKS cannot be read, not a 401', async () => {
    const token = await fake.sessionToken('user_jwt_nokeys', [], {})
    // The JWKS URL answers 404, as a misrouted or broken identity provider does.
    const unreachable = { ...auth(), jwksUrl: new URL('/no-such-jwks.json', testEnv.CLUSTER_API_URL) }
    const error = await verifySessionToken(token, unreachable).then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(ProblemError)
    expect((error as ProblemError).status).toBe(503)
    expect((error as ProblemError).code).toBe('identity-unavailable')
    expect(Number(errorResponse(error as ProblemError).headers.get('retry-after'))).toBeGreaterThan(0)
  })
})
