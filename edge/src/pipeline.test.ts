// The whole pipeline through the Worker's own fetch handler, inside workerd.

import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { COLD_START, REQUEST_ID } from '../../wire/headers.ts'
import { fake, uniqueSlug } from '../test/fake-platform-client.ts'
import { LOOKUP_TIMEOUT_MS } from './budgets.ts'

const edge = (url: string, init?: RequestInit) => (exports as unknown as { default: Fetcher }).default.fetch(url, init)

describe('pipeline', () => {
  it('drops client-sent internal headers and injects its own', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('strip'), visibility: 'public', running: true })
    const res = await edge(`http://${agent.slug}.localhost/x`, {
      headers: { 'x-tenant-host': 'someone-else', 'x-agent-id': 'agt_other', 'x-principal': 'user:root', 'x-edge-signature': 'v1=ff' },
    })
    expect(res.status).toBe(200)
    const echo = await res.json<Record<string, string>>()
    expect(echo).toMatchObject({ agent: agent.slug, agentId: agent.agentId, tenantId: agent.tenantId })
    expect(echo.principal).toMatch(/^anon:[0-9a-f]{32}$/)
    expect(echo.requestId).toBe(res.headers.get(REQUEST_ID))
  })

  it('keeps a plain client request id and replaces a strange one', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('reqid'), visibility: 'public', running: true })
    const kept = await edge(`http://${agent.slug}.localhost/`, { headers: { [REQUEST_ID]: 'client-id-12345' } })
    expect(kept.headers.get(REQUEST_ID)).toBe('client-id-12345')
    const replaced = await edge(`http://${agent.slug}.localhost/`, { headers: { [REQUEST_ID]: 'bad id\twith <stuff>' } })
    expect(replaced.headers.get(REQUEST_ID)).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers an unknown or invalid slug with 404 problem+json', async () => {
    for (const host of [`${uniqueSlug('ghost')}.localhost`, 'xn--bad.localhost', 'api-.localhost']) {
      const res = await edge(`http://${host}/`)
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect((await res.json<{ code: string }>()).code).toBe('unknown-agent')
    }
  })

  it('answers 502 when the route lookup does not answer, and caches nothing: the next request is served', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('hung-route'), visibility: 'public', running: true })
    await fake.hangRouteLookups(agent.slug, 1)
    const refused = await edge(`http://${agent.slug}.localhost/`)
    expect(refused.status).toBe(502)
    expect((await refused.json<{ code: string }>()).code).toBe('upstream-unreachable')
    expect((await edge(`http://${agent.slug}.localhost/`)).status).toBe(200)
  }, LOOKUP_TIMEOUT_MS + 10_000)

  it('marks a response that waited for a wake with the cold-start time', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('cold'), visibility: 'public', wakeDelayMs: 20 })
    const res = await edge(`http://${agent.slug}.localhost/`)
    expect(res.status).toBe(200)
    expect(Number(res.headers.get(COLD_START))).toBeGreaterThanOrEqual(0)
    expect(res.headers.get(COLD_START)).not.toBeNull()
  })

  it('limits requests per tenant with 429 and Retry-After', async () => {
    // edge/vitest.config.ts: 3 per tenant per fixed minute, so 7 calls reach the limit even across a minute's end.
    const agent = await fake.addAgent({ slug: uniqueSlug('limited'), visibility: 'public', running: true })
    const statuses: number[] = []
    for (let i = 0; i < 7 && !statuses.includes(429); i++) {
      const res = await edge(`http://${agent.slug}.localhost/`)
      statuses.push(res.status)
      if (res.status === 429) {
        expect(res.headers.get('retry-after')).toBe('60')
        expect((await res.json<{ code: string }>()).code).toBe('rate-limited')
      } else await res.body?.cancel()
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200])
    expect(statuses).toContain(429)
    expect((await fake.agent(agent.agentId)).served).toBe(statuses.filter((s) => s === 200).length)
  })

  it('forwards api. to the cluster-api with a request id', async () => {
    const res = await edge('http://api.localhost/.well-known/jwks.json')
    expect(res.status).toBe(200)
    expect((await res.json<{ keys: unknown[] }>()).keys).toHaveLength(1)
    expect(res.headers.get(REQUEST_ID)).not.toBeNull()
  })
})
