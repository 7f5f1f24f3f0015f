// Cookie-authenticated requests that change something, and WebSockets, only from the agent's own site or the
// dashboard; Bearer-authenticated ones from anywhere.

import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { fake, uniqueSlug } from '../../test/fake-platform-client.ts'
import { cookieAuthenticates, isAllowedOrigin, needsOriginCheck } from './cookie-origin.ts'

const edge = (url: string, init?: RequestInit) => (exports as unknown as { default: Fetcher }).default.fetch(url, init)
const EVIL = 'https://evil.example'

async function privateAgentWithMember(prefix: string) {
  const agent = await fake.addAgent({ slug: uniqueSlug(prefix), visibility: 'private', running: true })
  const token = await fake.userToken(`user_${agent.slug}`, [agent.tenantId])
  return { agent, token, url: `http://${agent.slug}.localhost/v1/chat` }
}

describe('cookie origin', () => {
  it('takes a cookie as the credential only when no Bearer credential wins over it', () => {
    expect(cookieAuthenticates(new Headers({ cookie: 'theme=dark; __session=eyJ.a.b' }))).toBe(true)
    expect(cookieAuthenticates(new Headers({ cookie: 'mi_anon=s_123' }))).toBe(true)
    expect(cookieAuthenticates(new Headers({ cookie: '__session=eyJ.a.b', authorization: 'Bearer mi_key' }))).toBe(false)
    expect(cookieAuthenticates(new Headers({ cookie: '__session=' }))).toBe(false)
    expect(cookieAuthenticates(new Headers({ cookie: 'theme=dark' }))).toBe(false)
    // Not a Bearer credential (the edge then reads the cookie): still checked.
    expect(cookieAuthenticates(new Headers({ cookie: '__session=eyJ.a.b', authorization: 'Basic dTpw' }))).toBe(true)
  })

  it('checks unsafe methods and WebSocket upgrades, nothing else', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(needsOriginCheck(method, new Headers()), method).toBe(true)
    for (const method of ['GET', 'HEAD', 'OPTIONS']) expect(needsOriginCheck(method, new Headers()), method).toBe(false)
    expect(needsOriginCheck('GET', new Headers({ upgrade: 'WebSocket' }))).toBe(true)
  })

  it('allows the agent’s own origin and the dashboard’s, nothing else', () => {
    const url = 'https://ada.myintell.ai/v1/chat'
    expect(isAllowedOrigin('https://ada.myintell.ai', url, 'myintell.ai')).toBe(true)
    expect(isAllowedOrigin('https://app.myintell.ai', url, 'myintell.ai')).toBe(true)
    for (const other of [EVIL, 'https://bob.myintell.ai', 'http://ada.myintell.ai', 'https://ada.myintell.ai.evil.example', 'null', null]) {
      expect(isAllowedOrigin(other, url, 'myintell.ai'), String(other)).toBe(false)
    }
  })

  it('refuses a cross-site text/plain POST with the session cookie with 403, and the agent never sees it', async () => {
    const { agent, token, url } = await privateAgentWithMember('csrf')
    const res = await edge(url, {
      method: 'POST', body: '{"message":"transfer everything"}',
      headers: { cookie: `__session=${token}`, origin: EVIL, 'content-type': 'text/plain' },
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 403, code: 'origin-not-allowed' })
    // …and a cookie POST without any Origin (a client that hides it) is refused the same way.
    const bare = await edge(url, { method: 'POST', body: '{}', headers: { cookie: `__session=${token}` } })
    expect(bare.status).toBe(403)
    expect((await fake.agent(agent.agentId)).served).toBe(0)
  })

  it('serves a cookie POST from the agent’s own page and from the dashboard', async () => {
    const { agent, token, url } = await privateAgentWithMember('samesite')
    for (const origin of [`http://${agent.slug}.localhost`, 'http://app.localhost:8787']) {
      const res = await edge(url, { method: 'POST', body: '{}', headers: { cookie: `__session=${token}`, origin, 'content-type': 'application/json' } })
      expect(res.status, origin).toBe(200)
    }
    expect((await fake.agent(agent.agentId)).served).toBe(2)
  })

  it('serves a Bearer POST whatever its Origin, and a cookie GET from another site', async () => {
    const { agent, token, url } = await privateAgentWithMember('bearer')
    const bearer = await edge(url, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${token}`, origin: EVIL } })
    expect(bearer.status).toBe(200)
    const key = await fake.addKey(agent.tenantId)
    const keyed = await edge(url, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${key}`, cookie: `__session=${token}`, origin: EVIL } })
    expect(keyed.status).toBe(200)
    const read = await edge(url, { headers: { cookie: `__session=${token}`, origin: EVIL } })
    expect(read.status).toBe(200)
  })

  it('refuses a WebSocket opened with the session cookie from another site', async () => {
    const { agent, token } = await privateAgentWithMember('cswsh')
    const res = await edge(`http://${agent.slug}.localhost/v1/ws`, { headers: { upgrade: 'websocket', cookie: `__session=${token}`, origin: EVIL } })
    expect(res.status).toBe(403)
    expect(res.webSocket).toBeNull()
    expect(await res.json()).toMatchObject({ code: 'origin-not-allowed' })
    expect((await fake.agent(agent.agentId)).served).toBe(0)
  })
})
