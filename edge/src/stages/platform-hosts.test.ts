// api.<base> is a door to the public /v1 API only: the signed internal API behind it must stay out of reach.

import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { isPublicApiPath } from './platform-hosts.ts'

const edge = (url: string, init?: RequestInit) => (exports as unknown as { default: Fetcher }).default.fetch(url, init)

describe('api host', () => {
  it('forwards only /v1 and the JWKS', () => {
    expect(isPublicApiPath('/v1/agents')).toBe(true)
    expect(isPublicApiPath('/v1')).toBe(true)
    expect(isPublicApiPath('/.well-known/jwks.json')).toBe(true)
    for (const path of ['/internal/v1/ingest', '/internal/v1/keys/verify', '/metrics', '/v1x', '/', '/%2e%2e/internal/v1/ingest']) {
      expect(isPublicApiPath(path), path).toBe(false)
    }
  })

  it('never forwards a client to the signed internal API', async () => {
    for (const [method, path] of [
      ['POST', '/internal/v1/ingest'], ['POST', '/internal/v1/keys/verify'], ['GET', '/internal/v1/routes/demo'],
      ['POST', '/internal/v1/agents/abc/wake'], ['GET', '/v1/../internal/v1/routes/demo'], ['GET', '/metrics'],
    ] as const) {
      const res = await edge(`http://api.localhost${path}`, { method, body: method === 'POST' ? '{}' : null })
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      expect(((await res.json()) as { code: string }).code).toBe('not-found')
    }
  })
})
