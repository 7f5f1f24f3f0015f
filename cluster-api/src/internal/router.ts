// The internal API (`/internal/v1/*`), called by the edge only, payloads as typed in
// wire/internal-api.ts. Every route sits behind the edge-signature check.

import { Hono } from 'hono'
import { z } from 'zod'
import { UNKNOWN_KEY_CODE, type IngestResult, type KeyVerification, type RouteInfo, type UserTenants } from '../../../wire/internal-api.ts'
import type { ApiDeps } from '../context.ts'
import { verifyApiKey } from '../db/queries/api-keys.ts'
import { findAgentById, findAgentBySlug } from '../db/queries/agents.ts'
import { listTenantIdsOfUser } from '../db/queries/tenants.ts'
import { ingestUsage } from '../db/queries/usage.ts'
import { readJson } from '../http/json-body.ts'
import { notFoundError } from '../http/problems.ts'
import type { Workloads } from '../workloads/workloads.ts'
import { edgeSignature, type EdgeVerified } from './edge-signature.ts'
import { delegate, DelegationChains, delegateRequestSchema } from '../delegation/delegate-call.ts'
import { DEFAULT_RUNS_SETTINGS, ingressOf } from '../runs/index.ts'
import { TurnClient } from '../runs/turn-client.ts'
import { timingSafeEqual } from '../../../wire/signature.ts'
import { AgentKeys, edgeSecret, nodeHmac } from '../../../wire/node-hmac.ts'
import { ProblemError } from '../../../wire/problem.ts'

const SCALING_PATH_PREFIX = '/internal/v1/scaling/'
/**
 * A runtime's own calls, signed with its agent's key, the agent id in the path: its usage reports
 * (INTERNAL_PATHS.runtimeUsage) and its delegations (INTERNAL_PATHS.runtimeDelegate).
 */
const RUNTIME_PATH = /^\/internal\/v1\/runtime\/agents\/([^/]+)\/(?:usage|delegate)$/
/** A flush from one edge isolate; bounds the work one request can cause. */
const MAX_INGEST_ITEMS = 10_000

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
const ingestSchema = z.strictObject({
  batchId: z.string().min(1).max(200),
  items: z.array(z.strictObject({
    agentId: z.string().min(1).max(100),
    tenantId: z.string().min(1).max(100),
    from: count,
    to: count,
    requests: count,
    bytesIn: count,
    bytesOut: count,
    wakes: count,
    coldStartMs: count,
    tokensIn: count,
    tokensOut: count,
    activeSeconds: count,
    openStreams: count,
  }).refine((item) => item.to >= item.from, { message: '`to` must not be before `from`' })).max(MAX_INGEST_ITEMS),
})
const keyVerifySchema = z.strictObject({ key: z.string().min(1).max(200) })
const runtimeUsageSchema = z.strictObject({
  batchId: z.string().min(1).max(200),
  items: z.array(z.strictObject({
    from: count, to: count, tokensIn: count, tokensOut: count, openStreams: count, toolCalls: count.optional(),
  }).refine((item) => item.to >= item.from, { message: '`to` must not be before `from`' })).max(1_000),
})

export function internalRouter(deps: ApiDeps, workloads: Workloads,
  delegationSettings: { originUrl?: string | undefined; wakeTimeoutMs: number } = { wakeTimeoutMs: DEFAULT_RUNS_SETTINGS.wakeTimeoutMs }): Hono<{ Variables: { edge: EdgeVerified | null } }> {
  const app = new Hono<{ Variables: { edge: EdgeVerified | null } }>()
  const scalerToken = deps.scalerToken
  const edgeKey = nodeHmac(edgeSecret(deps.signingSecret))
  const agentKeys = new AgentKeys(deps.signingSecret)
  app.use('*', edgeSignature({
    // Only the edge's own key opens the internal API; a runtime's key opens only its own agent's report path.
    keyFor: (path) => {
      const runtime = RUNTIME_PATH.exec(path)
      if (!runtime) return edgeKey
      try {
        return agentKeys.for(decodeURIComponent(runtime[1]!))
      } catch {
        return null
      }
    },
    // KEDA cannot sign like the edge; its metrics-api trigger presents a bearer token instead.
    alternative: scalerToken
      ? (authorization, path) => path.startsWith(SCALING_PATH_PREFIX) && !!authorization && timingSafeEqual(authorization, `Bearer ${scalerToken}`)
      : undefined,
  }))

  app.get('/routes/:slug', async (c) => {
    const slug = c.req.param('slug')
    const route = await findAgentBySlug(deps.db, slug)
    if (!route) throw notFoundError('Route')
    const body: RouteInfo = { slug: route.slug, agentId: route.id, tenantId: route.tenantId, visibility: route.visibility, state: route.workloadState }
    return c.json(body)
  })

  app.post('/keys/verify', async (c) => {
    const { key } = await readJson(c, keyVerifySchema)
    const found = await verifyApiKey(deps.db, key)
    if (!found) throw new ProblemError({ status: 401, code: UNKNOWN_KEY_CODE, title: 'API key is unknown or revoked' })
    const body: KeyVerification = { keyId: found.id, tenantId: found.tenantId, scopes: found.scopes }
    return c.json(body)
  })

  app.get('/users/:userId/tenants', async (c) => {
    const userId = c.req.param('userId')
    const body: UserTenants = { userId, tenantIds: await listTenantIdsOfUser(deps.db, userId) }
    return c.json(body)
  })

  app.post('/agents/:agentId/wake', async (c) => c.json(await workloads.wake(c.req.param('agentId')), 202))

  app.get('/agents/:agentId/status', async (c) => {
    const raw = c.req.query('waitMs')
    const waitMs = raw === undefined ? 0 : Number(raw)
    if (!Number.isInteger(waitMs) || waitMs < 0) throw new ProblemError({
      status: 422, code: 'validation-failed', title: 'waitMs must be a non-negative integer',
    })
    return c.json(await workloads.status(c.req.param('agentId'), waitMs, c.req.raw.signal))
  })

  app.post('/ingest', async (c) => {
    const batch = await readJson(c, ingestSchema)
    const outcome = await ingestUsage(deps.db, batch)
    await workloads.touch(outcome.activity)
    const body: IngestResult = { accepted: outcome.accepted, duplicate: outcome.duplicate }
    return c.json(body, 202)
  })

  app.post('/runtime/agents/:agentId/usage', async (c) => {
    const agentId = c.req.param('agentId')
    const batch = await readJson(c, runtimeUsageSchema)
    const agent = await findAgentById(deps.db, agentId)
    // The agent was deleted since: nothing to count. (A signature for an id can only come from that id's key.)
    if (!agent) return c.json({ accepted: 0, duplicate: false } satisfies IngestResult, 202)
    const outcome = await ingestUsage(deps.db, {
      // Its own namespace of batch ids: a runtime can never claim (and so suppress) a batch id the edge uses.
      batchId: `runtime:${agentId}:${batch.batchId}`,
      items: batch.items.map((item) => ({
        agentId, tenantId: agent.tenantId, from: item.from, to: item.to, requests: 0, bytesIn: 0, bytesOut: 0, wakes: 0,
        coldStartMs: 0, tokensIn: item.tokensIn, tokensOut: item.tokensOut, activeSeconds: 0, openStreams: item.openStreams,
        toolCalls: item.toolCalls ?? 0,
      })),
    })
    await workloads.touch(outcome.activity)
    return c.json({ accepted: outcome.accepted, duplicate: outcome.duplicate } satisfies IngestResult, 202)
  })

  // A delegation: the caller is the agent whose key signed the request (the path's id), never what the body says.
  const delegation = {
    db: deps.db, workloads, wakeTimeoutMs: delegationSettings.wakeTimeoutMs,
    // The same ingress the runs reach runtimes through (MYINTELL_RUNS_ORIGIN_URL, else the local driver's).
    turns: new TurnClient(deps.signingSecret, () => delegationSettings.originUrl ?? ingressOf(deps.driver)),
  }
  const chains = new DelegationChains()
  app.post('/runtime/agents/:agentId/delegate', async (c) => {
    const request = await readJson(c, delegateRequestSchema)
    return c.json(await delegate(delegation, chains, c.req.param('agentId'), request, c.req.raw.signal), 200)
  })

  // KEDA's metrics-api trigger reads `active` (valueLocation "active"), target value 1: the agent stays
  // scaled up while it had activity (or a wake) within the idle window, or holds open streams. An idle timeout
  // of 0 is "never idle out": an agent once active or woken stays active (one never woken stays asleep).
  app.get('/scaling/agents/:agentId', async (c) => {
    const agent = await findAgentById(deps.db, c.req.param('agentId'))
    if (!agent) throw notFoundError('Agent')
    const now = Date.now()
    const recent = (at: Date | null) => at !== null && (deps.idleTimeoutMs === 0 || now - at.getTime() < deps.idleTimeoutMs)
    const active = agent.desiredState === 'running' && (agent.openStreams > 0 || recent(agent.lastActiveAt) || recent(agent.lastWakeAt))
    return c.json({
      agentId: agent.id,
      active: active ? 1 : 0,
      openStreams: agent.openStreams,
      lastActiveAt: agent.lastActiveAt?.toISOString() ?? null,
      idleTimeoutMs: deps.idleTimeoutMs,
    })
  })

  return app
}
