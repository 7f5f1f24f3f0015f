// Request heads over the edge's bounds get a clean 431 / 414 from the edge itself and never reach an agent.

import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { EDGE_MAX_HEADER_BYTES, EDGE_MAX_TARGET_BYTES } from '../../../wire/request-limits.ts'
import { fake, uniqueSlug } from '../../test/fake-platform-client.ts'
import { headerFieldBytes } from './request-head-limits.ts'

const edge = (url: string, init?: RequestInit) => (exports as unknown as { default: Fetcher }).default.fetch(url, init)

describe('request head limits', () => {
  it('counts every header field as it goes on the wire', () => {
    expect(headerFieldBytes(new Headers({ a: 'bc' }))).toBe('a: bc\r\n'.length)
    expect(headerFieldBytes(new Headers({ a: 'bc', 'x-long': 'y'.repeat(100) }))).toBe(7 + 'x-long: '.length + 100 + 2)
  })

  it('answers 17 KB of headers with 431 problem+json and does not forward them', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('bighead'), visibility: 'public', running: true })
    const res = await edge(`http://${agent.slug}.localhost/`, { headers: { 'x-filler': 'a'.repeat(17 * 1024) } })
    expect(res.status).toBe(431)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 431, code: 'headers-too-large', maxBytes: EDGE_MAX_HEADER_BYTES })
    expect((await fake.agent(agent.agentId)).served).toBe(0)
  })

  it('forwards headers just under the bound, and the origin takes them with what the edge adds', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('fullhead'), visibility: 'public', running: true })
    const res = await edge(`http://${agent.slug}.localhost/`, { headers: { 'x-filler': 'a'.repeat(EDGE_MAX_HEADER_BYTES - 256) } })
    expect(res.status).toBe(200)
    expect((await fake.agent(agent.agentId)).served).toBe(1)
  })

  it('answers a path and query over the bound with 414 problem+json', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('longurl'), visibility: 'public', running: true })
    const res = await edge(`http://${agent.slug}.localhost/?q=${'a'.repeat(EDGE_MAX_TARGET_BYTES)}`)
    expect(res.status).toBe(414)
    expect(await res.json()).toMatchObject({ status: 414, code: 'uri-too-long' })
    expect((await fake.agent(agent.agentId)).served).toBe(0)
  })
})
