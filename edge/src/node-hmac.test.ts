// The synchronous node:crypto signing key, inside workerd: same signatures as the WebCrypto path.

import { describe, expect, it } from 'vitest'
import { signHeaders, verifyHeaders } from '../../wire/signature.ts'
import { nodeHmac } from '../../wire/node-hmac.ts'

const SECRET = 'signing-key-test-secret-0123456789abcdef'
const target = { method: 'POST', host: 'ada.localhost', path: '/v1/chat?x=1' }

describe('nodeHmac', () => {
  it('signs exactly as WebCrypto does, synchronously, and verifies either way', async () => {
    const key = nodeHmac(SECRET)
    expect(typeof key === 'function' && typeof key('data')).toBe('string')
    const now = Date.now()
    const byNode = new Headers({ 'x-tenant-host': 'ada', 'x-principal': 'anonymous' })
    const byWebCrypto = new Headers(byNode)
    await signHeaders(byNode, target, key, now, 'nonce-nonce-nonce-1234')
    await signHeaders(byWebCrypto, target, SECRET, now, 'nonce-nonce-nonce-1234')
    expect(byNode.get('x-edge-signature')).toMatch(/^v2=[0-9a-f]{64}$/)
    expect(byNode.get('x-edge-signature')).toBe(byWebCrypto.get('x-edge-signature'))
    expect((await verifyHeaders(target.method, target.path, byNode, SECRET, { now })).ok).toBe(true)
    expect(await verifyHeaders(target.method, target.path, byNode, nodeHmac(`${SECRET}-other`), { now })).toEqual({ ok: false, reason: 'bad-signature' })
  })
})
