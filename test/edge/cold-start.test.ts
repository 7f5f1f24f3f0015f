// Cold starts through the real edge Worker: many requests, one wake; bounds that answer 503 + Retry-After
// instead of hanging; a gate that restarts mid-wake resumes the same wake.

import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COLD_START } from '../../wire/headers.ts'
import { edgeRequest, json } from './support/edge-client.ts'
import { startEdgeWorker, type EdgeWorker } from './support/edge-worker.ts'
import { startFakePlatform, type FakePlatform } from './support/fake-platform.ts'

const SECRET = 'cold-start-test-secret-0123456789abcdef'
let platform: FakePlatform

beforeAll(async () => {
  platform = await startFakePlatform(SECRET)
})
afterAll(async () => {
  await platform?.close()
})

describe('one wake for many callers', () => {
  let edge: EdgeWorker
  beforeAll(async () => {
    edge = await startEdgeWorker({ clusterUrl: platform.clusterUrl, originUrl: platform.originUrl, secret: SECRET })
  })
  afterAll(async () => {
    await edge?.dispose()
  })

  it('answers 1,000 concurrent requests to a cold agent with 200 after exactly one wake call', async () => {
    const a = platform.addAgent({ slug: 'crowd-magnet', visibility: 'public', wakeDelayMs: 300 })
    const replies = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => edgeRequest(edge.url, 'crowd-magnet.localhost', `/n/${i}`)),
    )
    expect(replies.filter((r) => r.status !== 200).map((r) => r.body).slice(0, 3)).toEqual([])
    expect(new Set(replies.map((r) => json(r).path)).size).toBe(1_000)
    expect(replies.filter((r) => r.headers[COLD_START] !== undefined).length).toBeGreaterThan(0)
    expect(a.wakeCalls).toBe(1)
    expect(a.served).toBe(1_000)
  }, 120_000) // a thousand real connections on a shared 2-core machine
})

describe('bounds', () => {
  let edge: EdgeWorker
  beforeAll(async () => {
    edge = await startEdgeWorker({
      clusterUrl: platform.clusterUrl, originUrl: platform.originUrl, secret: SECRET,
      vars: { WAKE_TIMEOUT_MS: '1000', MAX_HELD_REQUESTS: '10' },
    })
  })
  afterAll(async () => {
    await edge?.dispose()
  })

  it('answers every held request 503 + Retry-After when the wake times out, and refuses past the hold bound', async () => {
    const a = platform.addAgent({ slug: 'never-wakes', visibility: 'public', wakeDelayMs: null })
    const replies = await Promise.all(Array.from({ length: 15 }, () => edgeRequest(edge.url, 'never-wakes.localhost', '/')))
    expect(replies.map((r) => r.status)).toEqual(Array(15).fill(503))
    for (const r of replies) {
      expect(r.headers['retry-after']).toMatch(/^\d+$/)
      expect(r.headers['content-type']).toBe('application/problem+json')
    }
    const codes = replies.map((r) => json(r).code)
    expect(codes.filter((c) => c === 'wake-timeout')).toHaveLength(10)
    expect(codes.filter((c) => c === 'wake-queue-full')).toHaveLength(5)
    expect(a.wakeCalls).toBe(1)
  })

  it('frees the seats of clients that hung up while held once their wake ends: the bound is not used up for good', async () => {
    const a = platform.addAgent({ slug: 'hang-ups', visibility: 'public', wakeDelayMs: null })
    const clients = Array.from({ length: 10 }, () => {
      const request = http.request({ host: edge.url.hostname, port: edge.url.port, path: '/', headers: { host: 'hang-ups.localhost' } })
      request.on('error', () => undefined)
      request.end()
      return request
    })
    await expect.poll(() => a.statusCalls, { timeout: 5_000 }).toBeGreaterThan(0)
    for (const request of clients) request.destroy()
    // Their seats are still counted while their wake runs: the bound holds…
    const full = await edgeRequest(edge.url, 'hang-ups.localhost', '/')
    expect([full.status, json(full).code]).toEqual([503, 'wake-queue-full'])
    // …and they end with it (WAKE_TIMEOUT_MS = 1 s here): the next request is held again, and served.
    await new Promise((r) => setTimeout(r, 1_200))
    a.wakeDelayMs = 20
    const next = await edgeRequest(edge.url, 'hang-ups.localhost', '/after')
    expect(next.status).toBe(200)
    expect(next.headers[COLD_START]).toBeDefined()
  })

  it('tries a fresh wake for the next request after a timed-out one', async () => {
    const a = platform.addAgent({ slug: 'second-chance', visibility: 'public', wakeDelayMs: null })
    expect((await edgeRequest(edge.url, 'second-chance.localhost', '/')).status).toBe(503)
    a.wakeDelayMs = 20
    const reply = await edgeRequest(edge.url, 'second-chance.localhost', '/')
    expect(reply.status).toBe(200)
    expect(a.wakeCalls).toBe(2)
  })
})

describe('restart mid-wake', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'myintell-edge-persist-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('resumes the running wake after the gate restarts: no second wake call, the next request is served', { timeout: 90_000 }, async () => {
    const a = platform.addAgent({ slug: 'restarted-gate', visibility: 'public', wakeDelayMs: null })
    const options = { clusterUrl: platform.clusterUrl, originUrl: platform.originUrl, secret: SECRET, persistDir: dir }
    const first = await startEdgeWorker(options)
    const held = edgeRequest(first.url, 'restarted-gate.localhost', '/').then((r) => r.status, () => 'dropped')
    await expect.poll(() => a.wakeCalls, { timeout: 20_000 }).toBe(1)
    await first.dispose()
    // The held request ends (the process it waited in is gone); it does not hang.
    expect(['dropped', 503]).toContain(await held)

    const second = await startEdgeWorker(options)
    try {
      const next = edgeRequest(second.url, 'restarted-gate.localhost', '/after')
      await expect.poll(() => a.statusCalls, { timeout: 20_000 }).toBeGreaterThan(1)
      platform.markReady(a.agentId)
      const reply = await next
      expect(reply.status).toBe(200)
      expect(json(reply).path).toBe('/after')
      expect(a.wakeCalls).toBe(1)
    } finally {
      await second.dispose()
    }
  })
})
