// Anonymous sessions through the whole Worker, inside workerd, in front of the fake origin (which echoes what it got).

import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { fake, testEnv, uniqueSlug } from '../../test/fake-platform-client.ts'
import { ANON_SESSION_RENEW_AFTER_S, anonSessionKey, encodeAnonSession, newAnonSession } from '../auth/anon-session.ts'

const edge = (url: string, init?: RequestInit) => (exports as unknown as { default: Fetcher }).default.fetch(url, init)
const key = anonSessionKey(testEnv.EDGE_SIGNING_SECRET)

type Echo = { principal: string; cookie: string | null }

/** `mi_anon=<value>` from a Set-Cookie header, ready to send back as a Cookie header. */
function cookieOf(response: Response): string {
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('mi_anon=') || c.startsWith('__Host-mi_anon='))
  expect(setCookie, 'a session cookie').toBeDefined()
  return setCookie!.split(';')[0]!
}
const idIn = (cookie: string) => cookie.split('=')[1]!.split('.')[0]

const publicAgent = (prefix: string) => fake.addAgent({ slug: uniqueSlug(prefix), visibility: 'public', running: true })

describe('anonymous sessions', () => {
  it('gives an anonymous caller of a public agent a session: anon:<id> for the agent, the cookie for the caller', async () => {
    const agent = await publicAgent('anon-new')
    const res = await edge(`http://${agent.slug}.localhost/v1/conversations`)
    expect(res.status).toBe(200)
    const cookie = cookieOf(res)
    const setCookie = res.headers.getSetCookie()[0]!
    expect(setCookie).toMatch(/; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/)
    expect(setCookie).not.toMatch(/Domain|Secure/i)
    const echo = await res.json<Echo>()
    expect(echo.principal).toBe(`anon:${idIn(cookie)}`)
    expect(echo.principal).toMatch(/^anon:[0-9a-f]{32}$/)
  })

  it('keeps the session a caller sends back, and forwards neither the cookie nor the other way round', async () => {
    const agent = await publicAgent('anon-keep')
    const cookie = cookieOf(await edge(`http://${agent.slug}.localhost/`))
    const again = await edge(`http://${agent.slug}.localhost/`, { headers: { cookie: `theme=dark; ${cookie}; lang=en` } })
    expect(again.headers.getSetCookie()).toEqual([])
    const echo = await again.json<Echo>()
    expect(echo.principal).toBe(`anon:${idIn(cookie)}`)
    expect(echo.cookie).toBe('theme=dark; lang=en')
  })

  it('renews a session in use once it is a day old: the same id, a fresh cookie', async () => {
    const agent = await publicAgent('anon-renew')
    const old = { id: newAnonSession(0).id, issuedAt: Math.floor(Date.now() / 1000) - ANON_SESSION_RENEW_AFTER_S - 60 }
    const res = await edge(`http://${agent.slug}.localhost/`, { headers: { cookie: `mi_anon=${encodeAnonSession(old, agent.agentId, key)}` } })
    expect((await res.json<Echo>()).principal).toBe(`anon:${old.id}`)
    const renewed = cookieOf(res)
    expect(idIn(renewed)).toBe(old.id)
    expect(Number(renewed.split('.')[1])).toBeGreaterThan(old.issuedAt)
  })

  it("replaces a forged, altered or another agent's cookie with a fresh session, never taking its id", async () => {
    const agent = await publicAgent('anon-forged')
    const other = await publicAgent('anon-elsewhere')
    const victim = newAnonSession(Math.floor(Date.now() / 1000))
    const forgeries = [
      `${victim.id}.${victim.issuedAt}.${'0'.repeat(64)}`,
      encodeAnonSession(victim, other.agentId, key),
      encodeAnonSession(victim, agent.agentId, anonSessionKey('not-the-edge-secret-0123456789abcdef')),
    ]
    for (const forged of forgeries) {
      const res = await edge(`http://${agent.slug}.localhost/`, { headers: { cookie: `mi_anon=${forged}` } })
      const fresh = cookieOf(res)
      expect(idIn(fresh)).not.toBe(victim.id)
      const echo = await res.json<Echo>()
      expect(echo.principal).toBe(`anon:${idIn(fresh)}`)
      expect(echo.cookie).toBeNull()
    }
  })

  it("leaves a private agent's anonymous caller to be refused with 401, and issues no session", async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('anon-private'), running: true })
    const res = await edge(`http://${agent.slug}.localhost/`)
    expect(res.status).toBe(401)
    expect(res.headers.getSetCookie()).toEqual([])
  })

  it('gives no session to a caller with credentials, and drops its session cookie all the same', async () => {
    const agent = await publicAgent('anon-keyed')
    const stranger = await fake.addKey('ten_stranger')
    const cookie = cookieOf(await edge(`http://${agent.slug}.localhost/`))
    const res = await edge(`http://${agent.slug}.localhost/`, { headers: { authorization: `Bearer ${stranger}`, cookie } })
    expect(res.headers.getSetCookie()).toEqual([])
    const echo = await res.json<Echo>()
    expect(echo.principal).toMatch(/^key:/)
    expect(echo.cookie).toBeNull()
  })

  it('sends the cookie on a streamed answer, a WebSocket handshake and an error', async () => {
    const sse = await edge(`http://${(await publicAgent('anon-sse')).slug}.localhost/sse`)
    expect(sse.headers.get('content-type')).toContain('text/event-stream')
    cookieOf(sse)
    await sse.text()

    const ws = await edge(`http://${(await publicAgent('anon-ws')).slug}.localhost/chat`, { headers: { upgrade: 'websocket' } })
    expect(ws.status).toBe(101)
    expect(ws.webSocket).not.toBeNull()
    cookieOf(ws)
    ws.webSocket!.accept()
    const echoed = new Promise<string>((resolve) => ws.webSocket!.addEventListener('message', (e) => resolve(String(e.data))))
    ws.webSocket!.send('hello')
    expect(await echoed).toMatch(/:hello$/)
    ws.webSocket!.close(1000, 'done')

    // The unit project's rate limit: 3 requests per tenant per minute (edge/vitest.config.ts); the 4th is a 429.
    const limited = await publicAgent('anon-429')
    let refused: Response | null = null
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await edge(`http://${limited.slug}.localhost/`)
      if (res.status === 429) refused = res
      else await res.body?.cancel()
    }
    expect(refused?.headers.get('content-type')).toBe('application/problem+json')
    cookieOf(refused!)
  })

  it('uses a Secure __Host- cookie on https and ignores a plain mi_anon there (a sibling subdomain could have set it)', async () => {
    const agent = await publicAgent('anon-https')
    const first = await edge(`https://${agent.slug}.localhost/`)
    const setCookie = first.headers.getSetCookie()[0]!
    expect(setCookie).toMatch(/^__Host-mi_anon=/)
    expect(setCookie).toMatch(/; Secure$/)
    const hostCookie = cookieOf(first)
    const kept = await edge(`https://${agent.slug}.localhost/`, { headers: { cookie: hostCookie } })
    expect((await kept.json<Echo>()).principal).toBe(`anon:${idIn(hostCookie)}`)

    const tossed = encodeAnonSession(newAnonSession(Math.floor(Date.now() / 1000)), agent.agentId, key)
    const res = await edge(`https://${agent.slug}.localhost/`, { headers: { cookie: `mi_anon=${tossed}` } })
    expect((await res.json<Echo>()).principal).not.toBe(`anon:${tossed.split('.')[0]}`)
  })
})
