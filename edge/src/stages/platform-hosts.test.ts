// api.<base> is a door to the public /v1 API only: the signed internal API behind it must stay out of reach.
// app.<base> serves the dashboard's build: its files, and the dashboard itself for any other page path.

import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { isFilePath, isPublicApiPath } from './platform-hosts.ts'

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

describe('app host', () => {
  const dashboardTitle = '<title>Dashboard · myintell.ai'

  it('serves the dashboard at / and, for its client-side routes, at any other page path', async () => {
    for (const path of ['/', '/usage', '/agents/ada/chat', '/settings/']) {
      const res = await edge(`http://app.localhost${path}`)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type'), path).toContain('text/html')
      const html = await res.text()
      expect(html, path).toContain(dashboardTitle)
      expect(html, path).not.toContain('on its way')
    }
  })

  it('serves the built files, and answers 404 for a file the build does not hold', async () => {
    const index = await (await edge('http://app.localhost/')).text()
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1]
    expect(script).toBeDefined()
    const found = await edge(`http://app.localhost${script}`)
    expect(found.status).toBe(200)
    expect(found.headers.get('content-type')).toContain('javascript')
    await found.body?.cancel()
    for (const path of ['/assets/index-stale.js', '/favicon.ico', '/usage/report.csv']) {
      const res = await edge(`http://app.localhost${path}`)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type'), path).toContain('application/problem+json')
      await res.body?.cancel()
    }
  })

  it('tells a file from a page path by its last segment', () => {
    expect(isFilePath('/assets/index-u8GKy8JD.js')).toBe(true)
    expect(isFilePath('/favicon.ico')).toBe(true)
    expect(isFilePath('/usage')).toBe(false)
    expect(isFilePath('/agents/v1.2/chat')).toBe(false)
    expect(isFilePath('/')).toBe(false)
  })
})
