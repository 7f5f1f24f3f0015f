// CORS through the Worker's own fetch handler: only the dashboard's origin, preflights answered before any wake.

import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { fake, uniqueSlug } from '../../test/fake-platform-client.ts'
import { dashboardOrigin } from './cors.ts'

const edge = (url: string, init?: RequestInit) => (exports as unknown as { default: Fetcher }).default.fetch(url, init)
const APP = 'http://app.localhost:8787'

const preflight = (url: string, origin: string) => edge(url, {
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
})

describe('cors', () => {
  it('recognises only app.<base> as the dashboard origin', () => {
    expect(dashboardOrigin('http://app.localhost:8787', 'localhost')).toBe('http://app.localhost:8787')
    expect(dashboardOrigin('https://app.myintell.ai', 'myintell.ai')).toBe('https://app.myintell.ai')
    for (const other of ['https://evil.example', 'https://app.myintell.ai.evil.example', 'https://ada.myintell.ai', 'null', 'javascript:alert(1)', undefined]) {
      expect(dashboardOrigin(other, 'myintell.ai'), String(other)).toBeNull()
    }
  })

  it('answers a preflight from the dashboard to a sleeping superfriend without waking it', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('cors'), visibility: 'private', running: false })
    const res = await preflight(`http://${agent.slug}.localhost/v1/chat`, APP)
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe(APP)
    expect(res.headers.get('access-control-allow-methods')).toContain('POST')
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization')
    expect(res.headers.get('access-control-max-age')).toBe('600')
    expect((await fake.agent(agent.agentId)).wakeCalls).toBe(0)
  })

  it('answers the API preflight and marks real answers, errors included, for the dashboard', async () => {
    const pre = await preflight('http://api.localhost/v1/agents', APP)
    expect(pre.status).toBe(204)
    const agent = await fake.addAgent({ slug: uniqueSlug('corsget'), visibility: 'private', running: true })
    const refused = await edge(`http://${agent.slug}.localhost/v1/chat`, { headers: { origin: APP } })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('access-control-allow-origin')).toBe(APP)
    expect(refused.headers.get('access-control-expose-headers')).toContain('x-myintell-cold-start')
  })

  it('gives any other origin nothing', async () => {
    const pre = await preflight('http://api.localhost/v1/agents', 'https://evil.example')
    expect(pre.headers.get('access-control-allow-origin')).toBeNull()
    expect(pre.status).not.toBe(204)
    const agent = await fake.addAgent({ slug: uniqueSlug('corsevil'), visibility: 'public', running: true })
    const res = await edge(`http://${agent.slug}.localhost/`, { headers: { origin: 'https://evil.example' } })
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })
})
