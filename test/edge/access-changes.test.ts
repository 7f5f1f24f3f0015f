// Access changes reach the real edge Worker within seconds, while traffic keeps flowing: an agent made private
// stops serving anonymous callers, a revoked key stops working, a user removed from a tenant loses its agents.
// The edge keeps serving from its caches meanwhile (no request waits for a refresh); the caches refresh in the
// background (isolate 5–10 s, gate 10 s), so under steady traffic a change applies within ~10 s (keys,
// memberships) or ~20 s (routes: the gate's refresh, then the isolate's).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { edgeRequest } from './support/edge-client.ts'
import { startEdgeWorker, type EdgeWorker } from './support/edge-worker.ts'
import { FAKE_AUDIENCE, FAKE_ISSUER, startFakePlatform, type FakePlatform } from './support/fake-platform.ts'

const SECRET = 'access-changes-test-secret-0123456789abcdef'
/** The bound the edge's caches give under traffic (routes ~20 s), with slack for a loaded machine. */
const APPLIES_WITHIN_MS = 28_000
let platform: FakePlatform
let edge: EdgeWorker

beforeAll(async () => {
  platform = await startFakePlatform(SECRET)
  edge = await startEdgeWorker({
    clusterUrl: platform.clusterUrl, originUrl: platform.originUrl, secret: SECRET,
    vars: { AUTH_JWKS_URL: `${platform.clusterUrl}/.well-known/jwks.json`, AUTH_ISSUER: FAKE_ISSUER, AUTH_AUDIENCE: FAKE_AUDIENCE },
  })
})
afterAll(async () => {
  await edge?.dispose()
  await platform?.close()
})

/** Sends a request every 200 ms until `refused` says the answer is a refusal; the time that took, in ms. */
async function untilRefused(send: () => Promise<number>, refused: (status: number) => boolean): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < APPLIES_WITHIN_MS) {
    const status = await send()
    if (refused(status)) return Date.now() - started
    expect(status).toBe(200) // still served as before the change, never anything else
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`the change did not reach the edge within ${APPLIES_WITHIN_MS} ms`)
}

describe('access changes', () => {
  it('apply within seconds: visibility, a revoked key, a removed membership', async () => {
    const open = platform.addAgent({ slug: 'soon-private', visibility: 'public', running: true })
    const keyed = platform.addAgent({ slug: 'key-guarded', visibility: 'private', running: true })
    const key = platform.addKey(keyed.tenantId)
    const member = platform.addAgent({ slug: 'team-agent', visibility: 'private', running: true })
    platform.setUserTenants('user_leaver', [member.tenantId])
    const token = await platform.mintToken('user_leaver')

    const anonymous = async () => (await edgeRequest(edge.url, 'soon-private.localhost', '/')).status
    const withKey = async () => (await edgeRequest(edge.url, 'key-guarded.localhost', '/', { headers: { authorization: `Bearer ${key}` } })).status
    const asUser = async () => (await edgeRequest(edge.url, 'team-agent.localhost', '/', { headers: { authorization: `Bearer ${token}` } })).status
    expect([await anonymous(), await withKey(), await asUser()]).toEqual([200, 200, 200])

    open.visibility = 'private'
    platform.revokeKey(key)
    platform.setUserTenants('user_leaver', [])
    const [visibility, revoked, removed] = await Promise.all([
      untilRefused(anonymous, (status) => status === 401),
      untilRefused(withKey, (status) => status === 401),
      untilRefused(asUser, (status) => status === 403),
    ])
    console.log(`access changes applied after: visibility ${visibility} ms, key ${revoked} ms, membership ${removed} ms`)
  }, APPLIES_WITHIN_MS + 10_000)
})
