// Only the edge may talk to a superfriend: unsigned, badly signed, stale or other-slug requests are 401 and logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createTestDatabase } from '../support/db.ts'
import { EDGE_SIGNATURE, TENANT_HOST } from '../../wire/headers.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { edgeHeaders, signedFetch } from './support/signed-fetch.ts'

let config: RuntimeConfig
let runtime: RuntimeProcess

beforeAll(async () => {
  config = agentConfig(await createTestDatabase('agent_sig'))
  runtime = await spawnRuntime({ config })
  await waitUntilReady(runtime.baseUrl)
})
afterAll(async () => { await runtime?.stop() })

async function expectRefused(res: Response) {
  expect(res.status).toBe(401)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  expect(await res.json()).toMatchObject({ status: 401, code: 'invalid-edge-signature' })
}

async function conversationCount(): Promise<number> {
  const res = await signedFetch({ secret: TEST_SECRET, slug: config.slug })(`${runtime.baseUrl}/v1/conversations`)
  return (await res.json()).data.length
}

describe('edge signature', () => {
  it('accepts a request signed by the edge for this slug', async () => {
    const res = await signedFetch({ secret: TEST_SECRET, slug: config.slug })(`${runtime.baseUrl}/v1/conversations`)
    expect(res.status).toBe(200)
  })

  it('refuses an unsigned request, even one that claims the right X-Tenant-Host', async () => {
    await expectRefused(await fetch(`${runtime.baseUrl}/v1/conversations`, { headers: { [TENANT_HOST]: config.slug } }))
  })

  it('refuses a signature made with another secret', async () => {
    await expectRefused(await signedFetch({ secret: `${TEST_SECRET}-not-ours`, slug: config.slug })(`${runtime.baseUrl}/v1/conversations`))
  })

  it('refuses a tampered signature', async () => {
    const headers = await edgeHeaders('GET', `${runtime.baseUrl}/v1/conversations`, { secret: TEST_SECRET, slug: config.slug })
    headers.set(EDGE_SIGNATURE, `${headers.get(EDGE_SIGNATURE)!.slice(0, -2)}00`)
    await expectRefused(await fetch(`${runtime.baseUrl}/v1/conversations`, { headers }))
  })

  it('refuses a signature for another path (no replay onto a different route)', async () => {
    const headers = await edgeHeaders('GET', `${runtime.baseUrl}/v1/memories`, { secret: TEST_SECRET, slug: config.slug })
    await expectRefused(await fetch(`${runtime.baseUrl}/v1/conversations`, { headers }))
  })

  it('refuses a stale signature (older than 60 s)', async () => {
    await expectRefused(await signedFetch({ secret: TEST_SECRET, slug: config.slug, ageMs: 61_000 })(`${runtime.baseUrl}/v1/conversations`))
  })

  it("refuses a valid signature for another superfriend's slug", async () => {
    const before = await conversationCount()
    const res = await signedFetch({ secret: TEST_SECRET, slug: 'someone-else' })(`${runtime.baseUrl}/v1/chat`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi' }),
    })
    await expectRefused(res)
    expect(await conversationCount()).toBe(before)
  })

  it('refuses an unsigned WebSocket upgrade', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${runtime.port}/v1/ws`)
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('open', () => resolve(101))
      ws.on('error', () => {})
    })
    ws.terminate()
    expect(status).toBe(401)
  })

  it('logs each refusal with its reason, without secrets or signatures', () => {
    const lines = runtime.stderr().split('\n').filter((l) => l.includes('edge-auth-refused'))
    const reasons = lines.map((l) => JSON.parse(l).reason)
    expect(reasons).toEqual(expect.arrayContaining(['missing', 'bad-signature', 'stale', 'wrong-tenant-host']))
    expect(runtime.stderr()).not.toContain(TEST_SECRET)
    expect(runtime.stderr()).not.toMatch(/v1=[0-9a-f]{64}/)
  })
})
