// The session JWT policy on its own: real keys and real jose, a permissive key resolver where the point is that
// the policy (not a missing key) refuses.

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK, type JWTVerifyGetKey } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../cluster-api/src/db/free-port.ts'
import {
  SESSION_JWT_CLOCK_TOLERANCE_S, SESSION_JWT_MAX_LIFETIME_S, SessionKeysUnavailable, verifySessionJwt, type SessionJwtExpectations,
} from './session-jwt.ts'

const ISSUER = 'https://issuer.example'
const AUDIENCE = 'myintell'
const expected: SessionJwtExpectations = { issuer: ISSUER, audience: AUDIENCE }

type Pair = Awaited<ReturnType<typeof generateKeyPair>>
let rsa: Pair
let ec: Pair
let ed: Pair
let keys: JWTVerifyGetKey
/** Hands out a key for any algorithm the header names, as a careless resolver would: only the policy stands in the way. */
let anyKey: JWTVerifyGetKey
const hmacSecret = new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs256')

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true })
  ec = await generateKeyPair('ES256', { extractable: true })
  ed = await generateKeyPair('EdDSA', { extractable: true })
  // No `alg` on the JWKs: the key set alone would accept any algorithm of the key's type.
  const jwks: { keys: JWK[] } = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec' },
      { ...(await exportJWK(ed.publicKey)), kid: 'ed' },
    ],
  }
  keys = createLocalJWKSet(jwks)
  anyKey = async (header) => {
    if (header.alg?.startsWith('HS')) return hmacSecret
    if (header.alg?.startsWith('ES')) return ec.publicKey
    return rsa.publicKey
  }
})

const now = () => Math.floor(Date.now() / 1000)

interface MintOptions {
  alg?: string
  kid?: string
  key?: CryptoKey | Uint8Array
  claims?: Record<string, unknown>
  sub?: string | null
  iss?: string
  aud?: string | null
  exp?: number | null
  iat?: number | null
}

function mint(o: MintOptions = {}): Promise<string> {
  const jwt = new SignJWT(o.claims ?? {}).setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid ?? 'rsa' }).setIssuer(o.iss ?? ISSUER)
  if (o.sub !== null) jwt.setSubject(o.sub ?? 'user_123')
  if (o.aud !== null) jwt.setAudience(o.aud ?? AUDIENCE)
  if (o.exp !== null) jwt.setExpirationTime(o.exp ?? now() + 300)
  if (o.iat !== null) jwt.setIssuedAt(o.iat ?? now() - 1)
  return jwt.sign(o.key ?? rsa.privateKey)
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('session JWT policy', () => {
  it('accepts a good token under each allowed algorithm and returns its subject', async () => {
    for (const [alg, kid, key] of [['RS256', 'rsa', () => rsa.privateKey], ['ES256', 'ec', () => ec.privateKey], ['EdDSA', 'ed', () => ed.privateKey]] as const) {
      const result = await verifySessionJwt(await mint({ alg, kid, key: key() }), keys, expected)
      expect(result, alg).toMatchObject({ ok: true, subject: 'user_123', claims: { iss: ISSUER } })
    }
  })

  it('refuses a correctly signed token without exp, which would otherwise be valid forever', async () => {
    const token = await mint({ exp: null })
    // Control: jose alone accepts it.
    await expect(jwtVerify(token, keys, { issuer: ISSUER, audience: AUDIENCE })).resolves.toBeTruthy()
    expect(await verifySessionJwt(token, keys, expected)).toMatchObject({ ok: false })
  })

  it('refuses a token without sub, or with a sub that is not a plain identifier', async () => {
    expect(await verifySessionJwt(await mint({ sub: null }), keys, expected)).toMatchObject({ ok: false })
    for (const sub of ['', 'user 1', 'user_1\r\nx-principal: user:root', 'ü'.repeat(3), 'u'.repeat(201)]) {
      expect(await verifySessionJwt(await mint({ sub }), keys, expected), JSON.stringify(sub)).toMatchObject({ ok: false })
    }
  })

  it('refuses alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'user_123', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}.`
    expect(await verifySessionJwt(token, anyKey, expected)).toMatchObject({ ok: false })
  })

  it('refuses HS256 even when a resolver would hand out a key for it', async () => {
    const token = await mint({ alg: 'HS256', kid: 'rsa', key: hmacSecret })
    await expect(jwtVerify(token, anyKey, { issuer: ISSUER })).resolves.toBeTruthy()
    expect(await verifySessionJwt(token, anyKey, expected)).toMatchObject({ ok: false, reason: expect.stringMatching(/alg/i) })
  })

  it('refuses an asymmetric algorithm that is not on the list (RS384, PS256, ES384)', async () => {
    for (const alg of ['RS384', 'PS256', 'ES384']) {
      const pair = await generateKeyPair(alg, { extractable: true })
      // No alg on the JWK: the key set alone would take the token.
      const own = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'other' }] })
      const token = await mint({ alg, kid: 'other', key: pair.privateKey })
      await expect(jwtVerify(token, own, { issuer: ISSUER }), alg).resolves.toBeTruthy()
      expect(await verifySessionJwt(token, own, expected), alg).toMatchObject({ ok: false, reason: expect.stringMatching(/alg/i) })
    }
  })

  it('refuses an expired token, and tolerates a few seconds of clock skew', async () => {
    expect(await verifySessionJwt(await mint({ exp: now() - 60, iat: now() - 120 }), keys, expected)).toMatchObject({ ok: false })
    const justExpired = await mint({ exp: now() - 1, iat: now() - 60 })
    expect(await verifySessionJwt(justExpired, keys, expected)).toMatchObject({ ok: true })
    const beyondTolerance = new Date((now() + SESSION_JWT_CLOCK_TOLERANCE_S + 2) * 1000)
    expect(await verifySessionJwt(justExpired, keys, expected, beyondTolerance)).toMatchObject({ ok: false })
  })

  it('refuses a token that is not valid yet (nbf)', async () => {
    const token = await mint({ claims: { nbf: now() + 120 } })
    expect(await verifySessionJwt(token, keys, expected)).toMatchObject({ ok: false })
  })

  it('refuses a wrong issuer and a wrong audience, and checks neither when none is configured', async () => {
    const foreignIssuer = await mint({ iss: 'https://evil.example' })
    const foreignAudience = await mint({ aud: 'someone-else' })
    const noAudience = await mint({ aud: null })
    expect(await verifySessionJwt(foreignIssuer, keys, expected)).toMatchObject({ ok: false })
    expect(await verifySessionJwt(foreignAudience, keys, expected)).toMatchObject({ ok: false })
    expect(await verifySessionJwt(noAudience, keys, expected)).toMatchObject({ ok: false })
    expect(await verifySessionJwt(foreignIssuer, keys, { audience: AUDIENCE })).toMatchObject({ ok: true })
    expect(await verifySessionJwt(noAudience, keys, { issuer: ISSUER })).toMatchObject({ ok: true })
  })

  it('refuses a token that lives longer than the maximum lifetime', async () => {
    const year = 365 * 24 * 3600
    expect(await verifySessionJwt(await mint({ exp: now() + year }), keys, expected)).toMatchObject({ ok: false })
    expect(await verifySessionJwt(await mint({ exp: now() + year, iat: null }), keys, expected)).toMatchObject({ ok: false })
    // Issued long ago with a long life, still unexpired: the lifetime, not the remaining time, is too long.
    const old = await mint({ iat: now() - SESSION_JWT_MAX_LIFETIME_S, exp: now() + 600 })
    expect(await verifySessionJwt(old, keys, expected)).toMatchObject({ ok: false })
    expect(await verifySessionJwt(await mint({ iat: now() + 600 }), keys, expected)).toMatchObject({ ok: false })
    expect(await verifySessionJwt(await mint({ exp: now() + SESSION_JWT_MAX_LIFETIME_S - 60 }), keys, expected)).toMatchObject({ ok: true })
  })

  it('refuses a forged signature and garbage', async () => {
    const forger = await generateKeyPair('RS256')
    expect(await verifySessionJwt(await mint({ key: forger.privateKey }), keys, expected)).toMatchObject({ ok: false })
    expect(await verifySessionJwt('not.a.jwt', keys, expected)).toMatchObject({ ok: false })
    expect(await verifySessionJwt('x'.repeat(10_000), keys, expected)).toMatchObject({ ok: false })
  })

  it('throws SessionKeysUnavailable, not a refusal, when the JWKS cannot be fetched', async () => {
    const closed = createRemoteJWKSet(new URL(`http://127.0.0.1:${await freePort()}/.well-known/jwks.json`))
    await expect(verifySessionJwt(await mint(), closed, expected)).rejects.toBeInstanceOf(SessionKeysUnavailable)
    const broken = createServer((_, response) => response.writeHead(500).end('down'))
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve))
    try {
      const failing = createRemoteJWKSet(new URL(`http://127.0.0.1:${(broken.address() as AddressInfo).port}/jwks`))
      await expect(verifySessionJwt(await mint(), failing, expected)).rejects.toBeInstanceOf(SessionKeysUnavailable)
    } finally {
      await new Promise<void>((resolve) => broken.close(() => resolve()))
    }
  })
})
