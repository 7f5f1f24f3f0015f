// A wire-exact stand-in for the two things behind the edge: the cluster-api's internal API (route lookup,
// key verify, user tenants, wake, status long poll, ingest, a JWKS) and the origin (the ingress plus agent
// pods: routes by X-Tenant-Host, verifies the edge signature, answers "no endpoints" for sleeping agents,
// echoes, streams SSE, echoes WebSockets). Real HTTP servers on 127.0.0.1, port 0.
// Tests drive it in-process, or over HTTP at /__fake/* on the cluster URL (tests running inside workerd).

import { EventEmitter } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import { createRequire } from 'node:module'
import type { WebSocketServer as WebSocketServerClass } from 'ws'
import { NO_ENDPOINTS } from '../../../wire/headers.ts'
import {
  UNKNOWN_KEY_CODE, type IngestBatch, type KeyVerification, type RouteInfo, type Visibility, type WorkloadStatus,
} from '../../../wire/internal-api.ts'
import { problem, problemResponse } from '../../../wire/problem.ts'
import { AgentKeys, edgeSecret, nodeBodyDigest, nodeHmac } from '../../../wire/node-hmac.ts'
import { ReplayGuard } from '../../../wire/replay-guard.ts'
import { ORIGIN_MAX_HEADER_BYTES } from '../../../wire/request-limits.ts'
import { verifyHeaders, verifyRequest } from '../../../wire/signature.ts'

// Loaded through require: the edge's unit-test project resolves imports with workerd conditions, which
// would hand us ws's browser build (no server).
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: typeof WebSocketServerClass }

export const FAKE_ISSUER = 'http://fake-issuer.test'
export const FAKE_AUDIENCE = 'myintell'

export interface FakeAgent {
  slug: string
  agentId: string
  tenantId: string
  visibility: Visibility
  running: boolean
  /** How long a wake takes; null = only when a test calls markReady. */
  wakeDelayMs: number | null
  wakeCalls: number
  statusCalls: number
  /** Requests the origin served for this agent. */
  served: number
  /** The origin answers "no endpoints" this many more times although the agent runs (an ingress slower than the driver). */
  staleIngress: number
}

export interface OriginSeen {
  tenantHost: string | null
  agentId: string | null
  principal: string | null
  path: string
  /** How the signature bound the body: `none`, `digest` (checked against the bytes received) or `stream`. */
  bodyBinding: string
  /** performance.now() when the request reached the origin (before its signature was checked). */
  receivedAt: number
}

export interface SessionTokenClaims {
  /** Seconds since the epoch; null: no exp at all. Default: in 5 minutes. */
  exp?: number | null
  iat?: number | null
  iss?: string
  aud?: string | null
}

export interface FakePlatform {
  clusterUrl: string
  originUrl: string
  secret: string
  agents: Map<string, FakeAgent>
  ingested: IngestBatch[]
  /** Every batch id the ingest was sent, failures and duplicates included. */
  ingestAttempts: string[]
  /** Ingest answers 500 this many more times. */
  failIngest: number
  originSeen: OriginSeen[]
  /** Internal API calls refused for a bad signature (should stay 0). */
  unsignedInternalCalls: number
  addAgent(agent: Partial<FakeAgent> & { slug: string }): FakeAgent
  addKey(tenantId: string): string
  /** The key stops verifying, as a revoked one does. */
  revokeKey(key: string): void
  setUserTenants(userId: string, tenantIds: string[]): void
  mintToken(userId: string, options?: { expiresIn?: string; audience?: string }): Promise<string>
  /** A token signed with the fake's own key whose claims break (or keep) the session policy; null drops a claim. */
  mintSessionToken(userId: string, claims: SessionTokenClaims): Promise<string>
  markReady(agentId: string): void
  sleep(agentId: string): void
  releaseSse(key: string): void
  close(): Promise<void>
}

/** A thousand clients connect at once in the cold-start tests; Node's default backlog (511) would drop some. */
const LISTEN_BACKLOG = 4_096

function listen(server: Server): Promise<string> {
  // Longer than any test: a pooled connection the server closes while the edge reuses it is a flake.
  server.keepAliveTimeout = 120_000
  return new Promise((resolve) => {
    server.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
  })
}

export async function startFakePlatform(secret: string): Promise<FakePlatform> {
  const agents = new Map<string, FakeAgent>() // by agentId
  const keys = new Map<string, KeyVerification>()
  const users = new Map<string, string[]>()
  const events = new EventEmitter()
  events.setMaxListeners(0)
  const sseReleases = new EventEmitter()
  sseReleases.setMaxListeners(0)
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'fake-1', alg: 'RS256', use: 'sig' }
  let seq = 0

  const bySlug = (slug: string) => [...agents.values()].find((a) => a.slug === slug)
  const status = (a: FakeAgent): WorkloadStatus => ({
    agentId: a.agentId, state: a.running ? 'ready' : a.wakeCalls > 0 ? 'waking' : 'cold', ready: a.running, replicas: a.running ? 1 : 0,
  })
  const markReady = (agentId: string) => {
    const a = agents.get(agentId)
    if (!a) return
    a.running = true
    events.emit(`ready:${agentId}`)
  }

  const platform: FakePlatform = {
    clusterUrl: '', originUrl: '', secret, agents, ingested: [], ingestAttempts: [], failIngest: 0, originSeen: [], unsignedInternalCalls: 0,
    addAgent(partial) {
      seq += 1
      const agent: FakeAgent = {
        agentId: `agt_${partial.slug}_${seq}`, tenantId: `ten_${partial.slug}`, visibility: 'private', running: false,
        wakeDelayMs: 50, wakeCalls: 0, statusCalls: 0, served: 0, staleIngress: 0, ...partial,
      }
      agents.set(agent.agentId, agent)
      return agent
    },
    addKey(tenantId) {
      seq += 1
      const key = `mi_test_${tenantId}_${seq}_${Math.random().toString(36).slice(2)}`
      keys.set(key, { keyId: `key_${seq}`, tenantId, scopes: ['chat'] })
      return key
    },
    revokeKey(key) {
      keys.delete(key)
    },
    setUserTenants(userId, tenantIds) {
      users.set(userId, tenantIds)
    },
    mintToken(userId, options = {}) {
      return new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'fake-1' }).setSubject(userId).setIssuer(FAKE_ISSUER)
        .setAudience(options.audience ?? FAKE_AUDIENCE).setIssuedAt().setExpirationTime(options.expiresIn ?? '5m').sign(privateKey)
    },
    mintSessionToken(userId, claims) {
      const now = Math.floor(Date.now() / 1000)
      const jwt = new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'fake-1' }).setSubject(userId).setIssuer(claims.iss ?? FAKE_ISSUER)
      if (claims.aud !== null) jwt.setAudience(claims.aud ?? FAKE_AUDIENCE)
      if (claims.iat !== null) jwt.setIssuedAt(claims.iat ?? now)
      if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? now + 300)
      return jwt.sign(privateKey)
    },
    markReady,
    sleep(agentId) {
      const a = agents.get(agentId)
      if (a) {
        a.running = false
        a.wakeCalls = 0
      }
    },
    releaseSse(key) {
      sseReleases.emit(key)
    },
    async close() {
      await Promise.all([cluster, origin].map((s) => new Promise<void>((resolve) => {
        s.closeAllConnections()
        s.close(() => resolve())
      })))
    },
  }

  // Both sides verify as the real ones do: the cluster-api with the edge's own key, the ingress with the key of the
  // agent the request names; each refuses a replayed nonce, and the cluster-api checks the body's digest.
  const key = nodeHmac(edgeSecret(secret))
  const agentKeys = new AgentKeys(secret)
  const apiReplay = new ReplayGuard()
  const originReplay = new ReplayGuard()
  const verifyOrigin = async (method: string, path: string, headers: Headers) => {
    const agentId = headers.get('x-agent-id') ?? ''
    // (Which agent a host belongs to is the real ingress's check; this origin's agents may carry ids of their own.)
    return agentId ? verifyHeaders(method, path, headers, agentKeys.for(agentId), { replay: originReplay }) : { ok: false as const, reason: 'missing' as const }
  }

  /** Route lookups that never answer, per slug, for the edge's lookup timeout. */
  const hangRouteLookups = new Map<string, number>()
  /** Key verifications refused with 401 invalid-edge-signature (not "unknown key"), per key. */
  const refusedVerifications = new Map<string, number>()

  // ---- the cluster-api's internal API
  const api = new Hono()
  api.get('/.well-known/jwks.json', (c) => c.json({ keys: [jwk] }))
  api.use('/internal/*', async (c, next) => {
    const verified = await verifyRequest(c.req.raw, key, { replay: apiReplay })
    const bytes = verified.ok && verified.body.kind === 'digest' ? new Uint8Array(await c.req.arrayBuffer()) : null
    if (!verified.ok || (bytes && nodeBodyDigest(bytes) !== (verified.body as { digest: string }).digest)) {
      platform.unsignedInternalCalls += 1
      return problemResponse(problem(401, 'bad-edge-signature', 'Unsigned', verified.ok ? 'body-mismatch' : verified.reason))
    }
    await next()
  })
  api.get('/internal/v1/routes/:slug', async (c) => {
    const hangs = hangRouteLookups.get(c.req.param('slug')) ?? 0
    if (hangs > 0) {
      hangRouteLookups.set(c.req.param('slug'), hangs - 1)
      await new Promise(() => undefined) // never answers: the edge must give up on its own
    }
    const a = bySlug(c.req.param('slug'))
    if (!a) return problemResponse(problem(404, 'unknown-agent', 'Unknown'))
    const route: RouteInfo = { slug: a.slug, agentId: a.agentId, tenantId: a.tenantId, visibility: a.visibility, state: status(a).state }
    return c.json(route)
  })
  api.post('/internal/v1/keys/verify', async (c) => {
    const { key } = await c.req.json<{ key: string }>()
    const refusals = refusedVerifications.get(key) ?? 0
    if (refusals > 0) {
      refusedVerifications.set(key, refusals - 1)
      return problemResponse(problem(401, 'invalid-edge-signature', 'Edge signature refused'))
    }
    const found = keys.get(key)
    return found ? c.json(found) : problemResponse(problem(401, UNKNOWN_KEY_CODE, 'API key is unknown or revoked'))
  })
  api.get('/internal/v1/users/:userId/tenants', (c) => c.json({ userId: c.req.param('userId'), tenantIds: users.get(c.req.param('userId')) ?? [] }))
  api.post('/internal/v1/agents/:agentId/wake', (c) => {
    const a = agents.get(c.req.param('agentId'))
    if (!a) return problemResponse(problem(404, 'unknown-agent', 'Unknown'))
    a.wakeCalls += 1
    if (!a.running && a.wakeDelayMs !== null) setTimeout(() => markReady(a.agentId), a.wakeDelayMs)
    return c.json(status(a), 202)
  })
  api.get('/internal/v1/agents/:agentId/status', async (c) => {
    const a = agents.get(c.req.param('agentId'))
    if (!a) return problemResponse(problem(404, 'unknown-agent', 'Unknown'))
    a.statusCalls += 1
    const waitMs = Math.min(Number(c.req.query('waitMs') ?? 0) || 0, 30_000)
    if (!a.running && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          events.off(`ready:${a.agentId}`, done)
          c.req.raw.signal.removeEventListener('abort', done)
          resolve()
        }
        const timer = setTimeout(done, waitMs)
        events.on(`ready:${a.agentId}`, done)
        c.req.raw.signal.addEventListener('abort', done)
      })
    }
    return c.json(status(a))
  })
  api.post('/internal/v1/ingest', async (c) => {
    const batch = await c.req.json<IngestBatch>()
    platform.ingestAttempts.push(batch.batchId)
    if (platform.failIngest > 0) {
      platform.failIngest -= 1
      return problemResponse(problem(500, 'ingest-down', 'Down'))
    }
    const duplicate = platform.ingested.some((b) => b.batchId === batch.batchId)
    if (!duplicate) platform.ingested.push(batch)
    return c.json({ accepted: duplicate ? 0 : batch.items.length, duplicate }, 202)
  })
  // Test control, for tests that run inside workerd and cannot reach this object.
  api.post('/__fake/agents', async (c) => c.json(platform.addAgent(await c.req.json())))
  api.get('/__fake/agents/:agentId', (c) => c.json(agents.get(c.req.param('agentId')) ?? null))
  // A change made through the platform API: visibility or owner (what the edge caches).
  api.patch('/__fake/agents/:agentId', async (c) => {
    const a = agents.get(c.req.param('agentId'))
    if (!a) return c.json(null, 404)
    const patch = await c.req.json<Partial<Pick<FakeAgent, 'visibility' | 'tenantId'>>>()
    if (patch.visibility) a.visibility = patch.visibility
    if (patch.tenantId) a.tenantId = patch.tenantId
    return c.json(a)
  })
  // The agent goes to sleep behind the edge's back (an idle-out, a crash, a restart of the platform).
  api.post('/__fake/agents/:agentId/sleep', (c) => {
    platform.sleep(c.req.param('agentId'))
    return c.body(null, 204)
  })
  api.post('/__fake/agents/:agentId/stale-ingress', async (c) => {
    const a = agents.get(c.req.param('agentId'))
    if (!a) return c.json(null, 404)
    a.staleIngress = (await c.req.json<{ count: number }>()).count
    return c.body(null, 204)
  })
  api.post('/__fake/agents/:agentId/ready', (c) => {
    markReady(c.req.param('agentId'))
    // When the status flipped, as epoch ms with sub-millisecond precision: comparable across processes.
    return c.json({ readyAt: performance.timeOrigin + performance.now() })
  })
  // When the origin received each request for one agent, as epoch ms (the bench splits readiness → first byte).
  api.get('/__fake/agents/:agentId/origin-seen', (c) => c.json(platform.originSeen
    .filter((seen) => seen.agentId === c.req.param('agentId')).map((seen) => performance.timeOrigin + seen.receivedAt)))
  api.post('/__fake/keys', async (c) => c.json({ key: platform.addKey((await c.req.json<{ tenantId: string }>()).tenantId) }))
  api.post('/__fake/users', async (c) => {
    const { userId, tenantIds } = await c.req.json<{ userId: string; tenantIds: string[] }>()
    platform.setUserTenants(userId, tenantIds)
    return c.json({ token: await platform.mintToken(userId) })
  })
  api.post('/__fake/session-tokens', async (c) => {
    const { userId, tenantIds, claims } = await c.req.json<{ userId: string; tenantIds: string[]; claims: SessionTokenClaims }>()
    platform.setUserTenants(userId, tenantIds)
    return c.json({ token: await platform.mintSessionToken(userId, claims) })
  })
  api.get('/__fake/ingest', (c) => c.json({ batches: platform.ingested, attempts: platform.ingestAttempts }))
  api.post('/__fake/hang-route-lookups', async (c) => {
    const { slug, count } = await c.req.json<{ slug: string; count: number }>()
    hangRouteLookups.set(slug, count)
    return c.body(null, 204)
  })
  api.post('/__fake/refuse-key-verifications', async (c) => {
    const { key, count } = await c.req.json<{ key: string; count: number }>()
    refusedVerifications.set(key, count)
    return c.body(null, 204)
  })
  api.post('/__fake/ingest-failures', async (c) => {
    platform.failIngest = (await c.req.json<{ count: number }>()).count
    return c.body(null, 204)
  })
  // Both accept the request heads the real servers do: all the edge forwards (wire/request-limits.ts).
  const cluster = createAdaptorServer({ fetch: api.fetch, serverOptions: { maxHeaderSize: ORIGIN_MAX_HEADER_BYTES } }) as Server

  // ---- the origin: ingress + agent pods
  const ingress = new Hono()
  ingress.all('*', async (c) => {
    const receivedAt = performance.now()
    const url0 = new URL(c.req.url)
    const verified = await verifyOrigin(c.req.method, url0.pathname + url0.search, c.req.raw.headers)
    if (!verified.ok) return problemResponse(problem(401, 'bad-edge-signature', 'Edge signature refused', verified.reason))
    const slug = verified.tenantHost ?? ''
    const a = bySlug(slug)
    // As the real ingress: one marked answer for an agent that is not running and for one it does not know.
    if (!a || !a.running || a.staleIngress > 0) {
      if (a && a.staleIngress > 0) a.staleIngress -= 1
      return problemResponse(problem(503, 'no-endpoints', 'No endpoints'), { [NO_ENDPOINTS]: '1', 'retry-after': '1' })
    }
    // As the runtime: a body bound by digest is read and checked; `none` must come with no body; `stream` is read as is.
    const bytes = c.req.method === 'GET' || c.req.method === 'HEAD' ? new Uint8Array() : new Uint8Array(await c.req.arrayBuffer())
    const binding = verified.body
    if ((binding.kind === 'digest' && nodeBodyDigest(bytes) !== binding.digest) || (binding.kind === 'none' && bytes.length > 0)) {
      return problemResponse(problem(401, 'bad-edge-signature', 'Edge signature refused', 'body-mismatch'))
    }
    a.served += 1
    const url = new URL(c.req.url)
    platform.originSeen.push({ tenantHost: slug, agentId: verified.agentId, principal: verified.principal, path: url.pathname, bodyBinding: binding.kind, receivedAt })
    // The agent's own answers, never marked: the edge passes them on as they are.
    if (url.pathname === '/own-404') return problemResponse(problem(404, 'not-found', 'No such page'))
    if (url.pathname === '/own-503') return problemResponse(problem(503, 'not-ready', 'Not ready'), { 'retry-after': '1' })
    // Answers only after ?ms= milliseconds (a JSON reply that takes its time), or streams: one event at once, the last
    // after ?ms= (a stream that outlives any bound on the time to the first byte).
    if (url.pathname === '/slow') {
      await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get('ms') ?? 0)))
      return c.json({ agent: a.slug, path: url.pathname })
    }
    if (url.pathname === '/slow-stream') {
      const encoder = new TextEncoder()
      const ms = Number(url.searchParams.get('ms') ?? 0)
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode('data: first\n\n'))
          setTimeout(() => {
            controller.enqueue(encoder.encode('data: last\n\n'))
            controller.close()
          }, ms)
        },
      })
      return new Response(stream, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' } })
    }
    if (url.pathname === '/sse') {
      const key = url.searchParams.get('hold') ?? ''
      const encoder = new TextEncoder()
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode('data: first\n\n'))
          const finish = () => {
            controller.enqueue(encoder.encode('data: last\n\n'))
            controller.close()
          }
          if (key) sseReleases.once(key, finish)
          else finish()
        },
      })
      return new Response(stream, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' } })
    }
    return c.json({
      agent: a.slug, agentId: verified.agentId, tenantId: verified.tenantId, principal: verified.principal,
      requestId: verified.requestId, method: c.req.method, path: url.pathname + url.search,
      body: c.req.method === 'GET' || c.req.method === 'HEAD' ? null : new TextDecoder().decode(bytes), bodyBinding: binding.kind,
      authorization: c.req.header('authorization') ?? null, cookie: c.req.header('cookie') ?? null,
    })
  })
  const origin = createAdaptorServer({ fetch: ingress.fetch, serverOptions: { maxHeaderSize: ORIGIN_MAX_HEADER_BYTES } }) as Server
  const sockets = new WebSocketServer({ noServer: true })
  origin.on('upgrade', (req, socket, head) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value)
    void verifyOrigin(req.method ?? 'GET', req.url ?? '/', headers).then((verified) => {
      const a = verified.ok ? bySlug(verified.tenantHost ?? '') : undefined
      if (a && a.running && a.staleIngress > 0) {
        a.staleIngress -= 1
        socket.end(`HTTP/1.1 503 Service Unavailable\r\n${NO_ENDPOINTS}: 1\r\ncontent-length: 0\r\n\r\n`)
        return
      }
      if (!verified.ok || !a?.running) {
        socket.end(verified.ok ? `HTTP/1.1 503 Service Unavailable\r\n${NO_ENDPOINTS}: 1\r\ncontent-length: 0\r\n\r\n` : 'HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n')
        return
      }
      a.served += 1
      sockets.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `${a.slug}:${data.toString()}`))
      })
    })
  })

  platform.clusterUrl = await listen(cluster)
  platform.originUrl = await listen(origin)
  return platform
}

