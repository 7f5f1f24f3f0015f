import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { SIGNED_HEADERS, signHeaders, verifyHeaders } from '../../../wire/signature.ts'
import { EDGE_SIGNATURE } from '../../../wire/headers.ts'
import { nodeHmac } from '../../../wire/node-hmac.ts'

const SECRET = 'node-hmac-secret-node-hmac-secret-0123456'
const target = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  host: fc.stringMatching(/^[a-z0-9-]{1,20}\.myintell\.ai$/),
  path: fc.stringMatching(/^\/[a-zA-Z0-9/_.?=&%-]{0,60}$/),
})
const values = fc.array(fc.stringMatching(/^[\x21-\x7e]{0,40}$/), { minLength: SIGNED_HEADERS.length, maxLength: SIGNED_HEADERS.length })

function headersWith(values: string[]): Headers {
  const headers = new Headers()
  SIGNED_HEADERS.forEach((name, i) => headers.set(name, values[i]!))
  return headers
}

describe('nodeHmac (the cluster-api\'s synchronous verifier)', () => {
  it('computes exactly the signature the edge\'s WebCrypto signer computes', async () => {
    await fc.assert(fc.asyncProperty(target, values, async (t, v) => {
      const now = 1_700_000_000_000
      const byEdge = headersWith(v)
      await signHeaders(byEdge, t, SECRET, now, 'nonce-nonce-nonce-1234')
      const byNode = headersWith(v)
      await signHeaders(byNode, t, nodeHmac(SECRET), now, 'nonce-nonce-nonce-1234')
      expect(byNode.get(EDGE_SIGNATURE)).toBe(byEdge.get(EDGE_SIGNATURE))
      expect((await verifyHeaders(t.method, t.path, byEdge, nodeHmac(SECRET), { now })).ok).toBe(true)
    }), { numRuns: 200 })
  })

  it('refuses a signature made with another secret', async () => {
    const headers = new Headers()
    await signHeaders(headers, { method: 'GET', host: 'api.myintell.ai', path: '/internal/v1/routes/ada' }, `${SECRET}x`)
    expect(await verifyHeaders('GET', '/internal/v1/routes/ada', headers, nodeHmac(SECRET))).toEqual({ ok: false, reason: 'bad-signature' })
  })
})
