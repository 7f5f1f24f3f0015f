import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  bodyDigest, bodyMatches, signHeaders, verifyHeaders, MAX_SIGNATURE_AGE_MS, SIGNED_HEADERS, STREAMED_BODY, timingSafeEqual,
} from './signature.ts'
import { ReplayGuard } from './replay-guard.ts'
import { agentSecret, edgeSecret, nodeBodyDigest, nodeHmac } from './node-hmac.ts'
import { TENANT_HOST, EDGE_BODY, EDGE_NONCE, EDGE_SIGNATURE, EDGE_TIMESTAMP, FORWARDED_HOST } from './headers.ts'

const SECRET = 'test-secret-test-secret-test-secret-0123'
const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,40}$/)
const target = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  host: fc.stringMatching(/^[a-z0-9-]{1,20}\.myintell\.ai$/),
  path: fc.stringMatching(/^\/[a-zA-Z0-9/_.?=&-]{0,40}$/),
})
const values = fc.array(headerValue, { minLength: SIGNED_HEADERS.length, maxLength: SIGNED_HEADERS.length })

async function signed(t: { method: string; host: string; path: string }, v: string[], now: number) {
  const headers = new Headers()
  SIGNED_HEADERS.forEach((name, i) => headers.set(name, v[i] ?? ''))
  await signHeaders(headers, t, SECRET, now)
  return headers
}

describe('edge signature', () => {
  it('verifies what it signed, for any request', async () => {
    await fc.assert(fc.asyncProperty(target, values, async (t, v) => {
      const now = 1_700_000_000_000
      const headers = await signed(t, v, now)
      const result = await verifyHeaders(t.method, t.path, headers, SECRET, { now: now + 1000 })
      expect(result.ok).toBe(true)
    }), { numRuns: 200 })
  })

  it('rejects any change to method, path, host, nonce, body binding or a signed header', async () => {
    await fc.assert(fc.asyncProperty(
      target, values, fc.nat({ max: 4 + SIGNED_HEADERS.length }), headerValue,
      async (t, v, field, replacement) => {
        const now = 1_700_000_000_000
        const headers = await signed(t, v, now)
        let method = t.method
        let path = t.path
        if (field === 0) method = method === 'GET' ? 'POST' : 'GET'
        else if (field === 1) path = `${path}x`
        else if (field === 2) headers.set(FORWARDED_HOST, `evil-${t.host}`)
        else if (field === 3) headers.set(EDGE_NONCE, 'AAAAAAAAAAAAAAAAAAAAAA')
        else if (field === 4) headers.set(EDGE_BODY, 'stream')
        else {
          const name = SIGNED_HEADERS[field - 5]!
          const changed = headers.get(name) === replacement ? `${replacement}!` : replacement
          headers.set(name, changed)
        }
        const result = await verifyHeaders(method, path, headers, SECRET, { now })
        expect(result).toEqual({ ok: false, reason: 'bad-signature' })
      },
    ), { numRuns: 300 })
  })

  it('rejects a signature made with another secret', async () => {
    const headers = new Headers({ [TENANT_HOST]: 'ada' })
    await signHeaders(headers, { method: 'GET', host: 'ada.myintell.ai', path: '/' }, `${SECRET}-other`, 1000)
    expect(await verifyHeaders('GET', '/', headers, SECRET, { now: 1000 })).toEqual({ ok: false, reason: 'bad-signature' })
  })

  it('rejects stale and future timestamps beyond 60 s', async () => {
    const headers = new Headers({ [TENANT_HOST]: 'ada' })
    await signHeaders(headers, { method: 'GET', host: 'ada.myintell.ai', path: '/' }, SECRET, 1_000_000)
    expect((await verifyHeaders('GET', '/', headers, SECRET, { now: 1_000_000 + MAX_SIGNATURE_AGE_MS })).ok).toBe(true)
    expect(await verifyHeaders('GET', '/', headers, SECRET, { now: 1_000_001 + MAX_SIGNATURE_AGE_MS })).toEqual({ ok: false, reason: 'stale' })
    expect(await verifyHeaders('GET', '/', headers, SECRET, { now: 999_999 - MAX_SIGNATURE_AGE_MS })).toEqual({ ok: false, reason: 'stale' })
  })

  it('rejects unsigned and malformed requests', async () => {
    expect(await verifyHeaders('GET', '/', new Headers(), SECRET)).toEqual({ ok: false, reason: 'missing' })
    const malformed = {
      [FORWARDED_HOST]: 'a.myintell.ai', [EDGE_TIMESTAMP]: String(Date.now()), [EDGE_SIGNATURE]: 'v2=00',
      [EDGE_NONCE]: 'AAAAAAAAAAAAAAAAAAAAAA', [EDGE_BODY]: 'none',
    }
    expect((await verifyHeaders('GET', '/', new Headers(malformed), SECRET)).ok).toBe(false)
    for (const [name, value] of [[EDGE_TIMESTAMP, 'yesterday'], [EDGE_SIGNATURE, 'v1=00'], [EDGE_NONCE, 'short'], [EDGE_BODY, 'md5=x']] as const) {
      expect(await verifyHeaders('GET', '/', new Headers({ ...malformed, [name]: value }), SECRET)).toEqual({ ok: false, reason: 'malformed' })
    }
  })

  it('refuses a replay of a verified request within the window, with a fresh nonce on every signing', async () => {
    const guard = new ReplayGuard()
    const t = { method: 'POST', host: 'ada.myintell.ai', path: '/v1/chat' }
    const first = new Headers({ [TENANT_HOST]: 'ada' })
    await signHeaders(first, t, SECRET)
    const again = new Headers(first)
    expect((await verifyHeaders(t.method, t.path, first, SECRET, { replay: guard })).ok).toBe(true)
    expect(await verifyHeaders(t.method, t.path, again, SECRET, { replay: guard })).toEqual({ ok: false, reason: 'replayed' })
    const second = new Headers({ [TENANT_HOST]: 'ada' })
    await signHeaders(second, t, SECRET)
    expect(second.get(EDGE_NONCE)).not.toBe(first.get(EDGE_NONCE))
    expect((await verifyHeaders(t.method, t.path, second, SECRET, { replay: guard })).ok).toBe(true)
  })

  it('does not remember nonces of requests that fail to verify', async () => {
    const guard = new ReplayGuard()
    const headers = new Headers({ [TENANT_HOST]: 'ada' })
    await signHeaders(headers, { method: 'GET', host: 'ada.myintell.ai', path: '/' }, `${SECRET}-other`)
    expect((await verifyHeaders('GET', '/', headers, SECRET, { replay: guard })).ok).toBe(false)
    expect(guard.size).toBe(0)
  })

  it('binds the body: the digest of what was signed matches only that body', async () => {
    const body = new TextEncoder().encode('{"message":"hello"}')
    const binding = { kind: 'digest' as const, digest: await bodyDigest(body) }
    expect(binding.digest).toBe(nodeBodyDigest(body))
    const headers = new Headers({ [TENANT_HOST]: 'ada' })
    await signHeaders(headers, { method: 'POST', host: 'ada.myintell.ai', path: '/v1/chat', body: binding }, SECRET)
    const verified = await verifyHeaders('POST', '/v1/chat', headers, SECRET)
    if (!verified.ok) throw new Error('did not verify')
    expect(verified.body).toEqual(binding)
    const other = new TextEncoder().encode('{"message":"HELLO"}')
    expect(await bodyMatches(verified.body, { length: body.length, digest: () => bodyDigest(body) })).toBe(true)
    expect(await bodyMatches(verified.body, { length: other.length, digest: () => nodeBodyDigest(other) })).toBe(false)
    expect(await bodyMatches({ kind: 'none' }, { length: 0, digest: () => '' })).toBe(true)
    expect(await bodyMatches({ kind: 'none' }, { length: 1, digest: () => '' })).toBe(false)
    expect(await bodyMatches(STREAMED_BODY, { length: 5, digest: () => '' })).toBe(true)
  })

  it('compares in constant time but still correctly', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
      expect(timingSafeEqual(a, b)).toBe(a === b)
    }))
  })
})

describe('derived keys', () => {
  it('gives each agent and the edge a different key, none of them the master', () => {
    const keys = new Set([SECRET, edgeSecret(SECRET), agentSecret(SECRET, 'a1'), agentSecret(SECRET, 'a2'), agentSecret(`${SECRET}x`, 'a1')])
    expect(keys.size).toBe(5)
    expect(agentSecret(SECRET, 'a1')).toBe(agentSecret(SECRET, 'a1'))
    expect(agentSecret(SECRET, 'a1')).toMatch(/^[0-9a-f]{64}$/)
  })

  it("one agent's key cannot sign for another agent", async () => {
    const headers = new Headers({ [TENANT_HOST]: 'b' })
    await signHeaders(headers, { method: 'GET', host: 'b.myintell.ai', path: '/' }, nodeHmac(agentSecret(SECRET, 'a')))
    expect(await verifyHeaders('GET', '/', headers, nodeHmac(agentSecret(SECRET, 'b')))).toEqual({ ok: false, reason: 'bad-signature' })
    expect(await verifyHeaders('GET', '/', headers, nodeHmac(edgeSecret(SECRET)))).toEqual({ ok: false, reason: 'bad-signature' })
  })
})

describe('replay guard', () => {
  it('forgets expired nonces and, when full, refuses anything signed no later than what it forgot', () => {
    const guard = new ReplayGuard(3, 1_000)
    expect(guard.claim('n1', 100, 100)).toBe(true)
    expect(guard.claim('n2', 200, 200)).toBe(true)
    expect(guard.claim('n3', 300, 300)).toBe(true)
    expect(guard.claim('n4', 400, 400)).toBe(true) // n1 forgotten: the floor is 100
    expect(guard.size).toBe(3)
    expect(guard.claim('n1', 100, 400)).toBe(false)
    expect(guard.claim('n5', 150, 400)).toBe(true)
    expect(guard.claim('n4', 400, 400)).toBe(false)
    // Two windows later everything is expired: memory is released.
    expect(guard.claim('n6', 10_000, 10_000)).toBe(true)
    expect(guard.size).toBe(1)
  })
})
