import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { signHeaders, verifyHeaders, MAX_SIGNATURE_AGE_MS, SIGNED_HEADERS, timingSafeEqual } from './signature.ts'
import { TENANT_HOST, EDGE_SIGNATURE, EDGE_TIMESTAMP, FORWARDED_HOST } from './headers.ts'

const SECRET = 'test-secret-test-secret-test-secret-0123'
const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,40}$/)
const target = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  host: fc.stringMatching(/^[a-z0-9-]{1,20}\.myintell\.ai$/),
  path: fc.stringMatching(/^\/[a-zA-Z0-9/_.?=&-]{0,40}$/),
})

async function signed(t: { method: string; host: string; path: string }, values: string[], now: number) {
  const headers = new Headers()
  SIGNED_HEADERS.forEach((name, i) => headers.set(name, values[i] ?? ''))
  await signHeaders(headers, t, SECRET, now)
  return headers
}

describe('edge signature', () => {
  it('verifies what it signed, for any request', async () => {
    await fc.assert(fc.asyncProperty(target, fc.array(headerValue, { minLength: 5, maxLength: 5 }), async (t, values) => {
      const now = 1_700_000_000_000
      const headers = await signed(t, values, now)
      const result = await verifyHeaders(t.method, t.path, headers, SECRET, now + 1000)
      expect(result.ok).toBe(true)
    }), { numRuns: 200 })
  })

  it('rejects any change to method, path, host or a signed header', async () => {
    await fc.assert(fc.asyncProperty(
      target, fc.array(headerValue, { minLength: 5, maxLength: 5 }), fc.nat({ max: 7 }), headerValue,
      async (t, values, field, replacement) => {
        const now = 1_700_000_000_000
        const headers = await signed(t, values, now)
        let method = t.method
        let path = t.path
        if (field === 0) method = method === 'GET' ? 'POST' : 'GET'
        else if (field === 1) path = `${path}x`
        else if (field === 2) headers.set(FORWARDED_HOST, `evil-${t.host}`)
        else {
          const name = SIGNED_HEADERS[(field - 3) % SIGNED_HEADERS.length]!
          const changed = headers.get(name) === replacement ? `${replacement}!` : replacement
          headers.set(name, changed)
        }
        const result = await verifyHeaders(method, path, headers, SECRET, now)
        expect(result).toEqual({ ok: false, reason: 'bad-signature' })
      },
    ), { numRuns: 300 })
  })

  it('rejects a signature made with another secret', async () => {
    const headers = new Headers({ [TENANT_HOST]: 'ada' })
    await signHeaders(headers, { method: 'GET', host: 'ada.myintell.ai', path: '/' }, `${SECRET}-other`, 1000)
    expect(await verifyHeaders('GET', '/', headers, SECRET, 1000)).toEqual({ ok: false, reason: 'bad-signature' })
  })

  it('rejects stale and future timestamps beyond 60 s', async () => {
    const headers = new Headers({ [TENANT_HOST]: 'ada' })
    await signHeaders(headers, { method: 'GET', host: 'ada.myintell.ai', path: '/' }, SECRET, 1_000_000)
    expect((await verifyHeaders('GET', '/', headers, SECRET, 1_000_000 + MAX_SIGNATURE_AGE_MS)).ok).toBe(true)
    expect(await verifyHeaders('GET', '/', headers, SECRET, 1_000_001 + MAX_SIGNATURE_AGE_MS)).toEqual({ ok: false, reason: 'stale' })
    expect(await verifyHeaders('GET', '/', headers, SECRET, 999_999 - MAX_SIGNATURE_AGE_MS)).toEqual({ ok: false, reason: 'stale' })
  })

  it('rejects unsigned and malformed requests', async () => {
    expect(await verifyHeaders('GET', '/', new Headers(), SECRET)).toEqual({ ok: false, reason: 'missing' })
    const headers = new Headers({ [FORWARDED_HOST]: 'a.myintell.ai', [EDGE_TIMESTAMP]: 'yesterday', [EDGE_SIGNATURE]: 'v1=00' })
    expect(await verifyHeaders('GET', '/', headers, SECRET)).toEqual({ ok: false, reason: 'malformed' })
  })

  it('compares in constant time but still correctly', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
      expect(timingSafeEqual(a, b)).toBe(a === b)
    }))
  })
})
