// An open WebSocket outlives the request that opened it; the real edge Worker asks again, while it is open,
// whether its credential still holds. A revoked API key, or a user removed from the agent's tenant, closes the
// socket with 1008 within the edge caches' bound (KEY_MAX_AGE_MS / USER_TENANTS_MAX_AGE_MS, 30 s; under the
// re-check's traffic about 10–15 s), at both ends: no later turn reaches the agent.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { KEY_MAX_AGE_MS, USER_TENANTS_MAX_AGE_MS } from '../../edge/src/budgets.ts'
import { startEdgeWorker, type EdgeWorker } from './support/edge-worker.ts'
import { FAKE_AUDIENCE, FAKE_ISSUER, startFakePlatform, type FakePlatform } from './support/fake-platform.ts'

const SECRET = 'ws-revocation-test-secret-0123456789abcdef'

/** The caches' bound (a key's and a membership's max age), with slack for a loaded machine. */
const CLOSES_WITHIN_MS = Math.max(KEY_MAX_AGE_MS, USER_TENANTS_MAX_AGE_MS) + 5_000
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

async function open(host: string, headers: Record<string, string>): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${edge.url.port}/v1/ws`, { headers: { host, ...headers } })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  return ws
}

async function echo(ws: WebSocket, text: string): Promise<string> {
  const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(data.toString())))
  ws.send(text)
  return reply
}

/** Sends a turn every 500 ms until the socket closes; the close code, reason and how long it took. */
async function untilClosed(ws: WebSocket): Promise<{ code: number; reason: string; ms: number }> {
  const started = Date.now()
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  const turns = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) ws.send('still there?')
  }, 500)
  try {
    const result = await Promise.race([closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), CLOSES_WITHIN_MS))])
    if (!result) throw new Error(`the socket was still open ${CLOSES_WITHIN_MS} ms after the change`)
    return { ...result, ms: Date.now() - started }
  } finally {
    clearInterval(turns)
  }
}

describe('open WebSockets after an access change', () => {
  it.concurrent('close with 1008 once the API key that opened them is revoked', async () => {
    const agent = platform.addAgent({ slug: 'ws-keyed', visibility: 'private', running: true })
    const key = platform.addKey(agent.tenantId)
    const ws = await open('ws-keyed.localhost', { authorization: `Bearer ${key}` })
    expect(await echo(ws, 'hello')).toBe('ws-keyed:hello')

    platform.revokeKey(key)
    const closed = await untilClosed(ws)
    expect(closed.code).toBe(1008)
    expect(closed.reason).toBe('API key revoked')
    console.log(`a revoked key's WebSocket closed after ${closed.ms} ms`)
    // …and the key opens no new one.
    await expect(open('ws-keyed.localhost', { authorization: `Bearer ${key}` })).rejects.toThrow(/401/)
  }, CLOSES_WITHIN_MS + 10_000)

  it.concurrent('close with 1008 once the user whose session opened them leaves the private agent’s tenant', async () => {
    const agent = platform.addAgent({ slug: 'ws-member', visibility: 'private', running: true })
    platform.setUserTenants('user_ws_leaver', [agent.tenantId])
    const token = await platform.mintToken('user_ws_leaver')
    // As the browser opens it: the session cookie, from the superfriend's own page.
    const host = `ws-member.localhost:${edge.url.port}`
    const ws = await open(host, { cookie: `__session=${token}`, origin: `http://${host}` })
    expect(await echo(ws, 'hello')).toBe('ws-member:hello')

    platform.setUserTenants('user_ws_leaver', [])
    const closed = await untilClosed(ws)
    expect(closed.code).toBe(1008)
    expect(closed.reason).toMatch(/no longer a member/)
    console.log(`a removed member's WebSocket closed after ${closed.ms} ms`)
  }, CLOSES_WITHIN_MS + 10_000)

  it('keep a socket whose credential still holds open, turn after turn', async () => {
    const agent = platform.addAgent({ slug: 'ws-steady', visibility: 'private', running: true })
    const key = platform.addKey(agent.tenantId)
    const ws = await open('ws-steady.localhost', { authorization: `Bearer ${key}` })
    // Past several re-checks (ACCESS_RECHECK_INTERVAL_MS) and one refresh of the key's cache entry.
    for (let turn = 0; turn < 12; turn++) {
      expect(await echo(ws, `turn ${turn}`)).toBe(`ws-steady:turn ${turn}`)
      await new Promise((resolve) => setTimeout(resolve, 1_000))
    }
    expect(ws.readyState).toBe(WebSocket.OPEN)
    ws.close()
  }, 30_000)
})
