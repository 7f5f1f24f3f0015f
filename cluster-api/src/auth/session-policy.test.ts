// The cluster-api under an external identity provider (a JWKS like Clerk's, served here on loopback) applies the
// shared session JWT policy (wire/session-jwt.ts), the same rules as the edge: each refusal is a 401 problem.

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApi, type TestApi } from '../../../test/api/support/harness.ts'
import { freePort } from '../db/free-port.ts'

const ISSUER = 'https://clerk.example.test'
const AUDIENCE = 'myintell'

let jwksServer: Server
let api: TestApi
let rsa: Awaited<ReturnType<typeof generateKeyPair>>
let rs384: Awaited<ReturnType<typeof generateKeyPair>>

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true })
  rs384 = await generateKeyPair('RS384', { extractable: true })
  // No `alg` on the keys: only the policy's allowlist stops an RS384 token.
  const jwks: { keys: JWK[] } = { keys: [
    { ...(await exportJWK(rsa.publicKey)), kid: 'main', use: 'sig' },
    { ...(await exportJWK(rs384.publicKey)), kid: 'other', use: 'sig' },
  ] }
  jwksServer = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
  })
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve))
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`
  api = await startTestApi({ auth: { jwksUrl, issuer: ISSUER, audience: AUDIENCE } })
})
afterAll(async () => {
  await api.close()
  await new Promise<void>((resolve) => jwksServer.close(() => resolve()))
})

const now = () => Math.floor(Date.now() / 1000)

function token(o: { alg?: string; kid?: string; key?: CryptoKey | Uint8Array; iss?: string; aud?: string; exp?: number | null; iat?: number } = {}) {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid ?? 'main' })
    .setSubject('user_policy').setIssuer(o.iss ?? ISSUER).setAudience(o.aud ?? AUDIENCE).setIssuedAt(o.iat ?? now() - 1)
  if (o.exp !== null) jwt.setExpirationTime(o.exp ?? now() + 60)
  return jwt.sign(o.key ?? rsa.privateKey)
}

async function statusWith(jwt: string): Promise<{ status: number; code: unknown }> {
  const response = await api.v1('GET', '/v1/tenants', { token: jwt })
  const body = (await response.json()) as { code?: unknown }
  return { status: response.status, code: body.code }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('session JWT policy in the cluster-api', () => {
  it('accepts a good token from the configured issuer (control)', async () => {
    expect((await statusWith(await token())).status).toBe(200)
  })

  it('refuses a correctly signed token without exp', async () => {
    expect(await statusWith(await token({ exp: null }))).toEqual({ status: 401, code: 'unauthorized' })
  })

  it('refuses alg none, HS256 and an asymmetric algorithm that is not on the list', async () => {
    const none = `${b64({ alg: 'none', kid: 'main' })}.${b64({ sub: 'user_policy', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 })}.`
    const hs256 = await token({ alg: 'HS256', key: new TextEncoder().encode('x'.repeat(48)) })
    const unlisted = await token({ alg: 'RS384', kid: 'other', key: rs384.privateKey })
    for (const [name, jwt] of [['none', none], ['HS256', hs256], ['RS384', unlisted]] as const) {
      expect(await statusWith(jwt), name).toEqual({ status: 401, code: 'unauthorized' })
    }
  })

  it('refuses an expired token, a wrong issuer, a wrong audience and a lifetime beyond a day', async () => {
    const refused = [
      await token({ exp: now() - 60, iat: now() - 120 }),
      await token({ iss: 'https://evil.example' }),
      await token({ aud: 'someone-else' }),
      await token({ exp: now() + 400 * 24 * 3600 }),
    ]
    for (const jwt of refused) expect(await statusWith(jwt)).toEqual({ status: 401, code: 'unauthorized' })
  })

  it('answers 503 identity-unavailable with Retry-After, not 401 or 500, while the JWKS cannot be fetched', async () => {
    const down = await startTestApi({ auth: { jwksUrl: `http://127.0.0.1:${await freePort()}/jwks.json`, issuer: ISSUER, audience: AUDIENCE } })
    try {
      const response = await down.v1('GET', '/v1/tenants', { token: await token() })
      expect(response.status).toBe(503)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(await response.json()).toMatchObject({ status: 503, code: 'identity-unavailable' })
    } finally {
      await down.close()
    }
  })
})
