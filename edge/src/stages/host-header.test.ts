// One host per request, the URL's: what workerd hands the Worker for two Host headers, a list or a mismatch.

import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { fake, uniqueSlug } from '../../test/fake-platform-client.ts'
import { requestHost } from './host-header.ts'

const edge = (url: string, init?: RequestInit) => (exports as unknown as { default: Fetcher }).default.fetch(url, init)

describe('host header', () => {
  it('takes one host that is the URL’s, with or without its default port', () => {
    expect(requestHost('http://ada.localhost:8787/v1/chat', 'ada.localhost:8787')).toBe('ada.localhost:8787')
    expect(requestHost('http://ada.localhost/', 'ADA.localhost:80')).toBe('ada.localhost')
    expect(requestHost('https://ada.myintell.ai/', 'ada.myintell.ai')).toBe('ada.myintell.ai')
    expect(requestHost('http://[::1]:8787/', '[::1]:8787')).toBe('[::1]:8787')
    expect(requestHost('http://ada.localhost/', null)).toBe('ada.localhost')
  })

  it('refuses two hosts, a host that is not the URL’s, and anything a URL parser would cut short', () => {
    // workerd joins two Host headers with ", " and builds the URL from them: the URL itself does not parse.
    expect(requestHost('http://ada.localhost:8787, b.localhost:8787/', 'ada.localhost:8787, b.localhost:8787')).toBeNull()
    expect(requestHost('http://ada.localhost:8787/', 'ada.localhost:8787, b.localhost:8787')).toBeNull()
    expect(requestHost('http://ada.localhost/', 'bob.localhost')).toBeNull()
    expect(requestHost('http://ada.localhost/', 'ada.localhost:8787')).toBeNull()
    for (const odd of ['ada.localhost/x', 'user@ada.localhost', 'ada.localhost:99999', '', ' ada.localhost', 'ada.localhost#']) {
      expect(requestHost('http://ada.localhost/', odd), odd).toBeNull()
    }
  })

  it('answers a Host that names another host than the URL with 400 problem+json, before the agent', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('twohost'), visibility: 'public', running: true })
    const res = await edge(`http://${agent.slug}.localhost/`, { headers: { host: `${agent.slug}.localhost, other.localhost` } })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 400, code: 'bad-host' })
    expect((await fake.agent(agent.agentId)).served).toBe(0)
  })
})
