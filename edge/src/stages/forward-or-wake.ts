// Stage 8 and 9: forward or wake, then account. A warm agent's request goes straight to the origin; any
// other takes a seat in the agent's AgentGate, waits until it is ready (one shared wait per isolate,
// gate/shared-wait.ts) and then streams its own request. An origin answer of "no endpoints" sends a
// body-less request back through the gate once; one whose body is already spent gets 503 + Retry-After
// (and the gate starts the wake, so the retry finds it waking or warm).

import type { MiddlewareHandler } from 'hono'
import { COLD_START } from '../../../wire/headers.ts'
import { accessRecheck } from '../auth/access-recheck.ts'
import { gateFor, type EdgeContext, type EdgeEnv } from '../context.ts'
import { meterBody } from '../forward/metered-body.ts'
import { isNoEndpoints, sendToOrigin } from '../forward/origin-request.ts'
import { relayWebSocket } from '../forward/websocket-relay.ts'
import type { HoldResult } from '../gate/protocol.ts'
import { holdShared } from '../gate/shared-wait.ts'
import { EdgeError, unavailable } from '../problems.ts'
import { recordUsage, type MeterTarget } from '../usage/usage-meter.ts'
import { warmAgents } from '../warm-agents.ts'

/** Retry-After when a request with a body met a vanished agent: the wake it triggered takes seconds. */
export const RETRY_AFTER_REPLAY_S = 2

type Held = { waited: boolean; coldStartMs: number }

async function hold(c: EdgeContext, noEndpoints: boolean): Promise<Held> {
  const route = c.get('route')
  const options = { keepAlive: (pending: Promise<unknown>) => c.executionCtx.waitUntil(pending) }
  let result: HoldResult
  try {
    result = await holdShared(gateFor(c.env, route.slug), route, noEndpoints, options)
  } catch {
    // The gate was reset (deploy, eviction) while we waited: its storage still says "waking", so a fresh
    // stub and a fresh seat resume the same wake instead of starting another.
    try {
      result = await holdShared(gateFor(c.env, route.slug), route, noEndpoints, options)
    } catch (error) {
      throw new EdgeError(503, 'gate-unavailable', 'The superfriend is temporarily unreachable', { 'retry-after': '2' }, error)
    }
  }
  if (!result.ok) throw unavailable(result.code, result.title, result.retryAfterSeconds)
  warmAgents.markWarm(route.agentId)
  return { waited: result.waited, coldStartMs: result.coldStartMs }
}

async function origin(c: EdgeContext): Promise<Response> {
  try {
    return await sendToOrigin(c)
  } catch (first) {
    // No answer at all (a pooled connection the origin had just closed): safe to try once more when there
    // is no body that would have to be replayed.
    if (c.req.raw.body === null) {
      try {
        return await sendToOrigin(c)
      } catch (second) {
        throw new EdgeError(502, 'origin-unreachable', 'The superfriend could not be reached', {}, second)
      }
    }
    throw new EdgeError(502, 'origin-unreachable', 'The superfriend could not be reached', {}, first)
  }
}

function account(c: EdgeContext, target: MeterTarget, response: Response, held: Held | null): Response {
  const env = c.env
  const waitUntil = (p: Promise<void> | null) => {
    if (!p) return
    try {
      c.executionCtx.waitUntil(p)
    } catch {
      // no execution context (the event already ended): the push still runs
    }
  }
  const bytesIn = Number(c.req.header('content-length') ?? 0) || 0
  const socket = response.webSocket
  if (response.status === 101 && socket) {
    waitUntil(recordUsage(env, target, { requests: 1, bytesIn, streamsOpened: 1 }))
    return relayWebSocket(socket, response, {
      onMessage: (bytes) => waitUntil(recordUsage(env, target, { messages: 1, bytesOut: bytes })),
      onClose: () => waitUntil(recordUsage(env, target, { streamsClosed: 1 })),
      recheck: accessRecheck(c),
    })
  }
  const stream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream')
  const length = response.headers.get('content-length')
  let body = response.body
  if (body && (stream || length === null)) {
    // Streamed or chunked: count the bytes as they pass and learn when the stream ends.
    body = meterBody(body, (bytes) => waitUntil(recordUsage(env, target, { bytesOut: bytes, streamsClosed: stream ? 1 : 0 })))
    waitUntil(recordUsage(env, target, { requests: 1, bytesIn, streamsOpened: stream ? 1 : 0 }))
  } else {
    // A sized body keeps workerd's native pass-through (a JS transform per chunk costs ~3× the throughput).
    waitUntil(recordUsage(env, target, { requests: 1, bytesIn, bytesOut: Number(length ?? 0) || 0 }))
  }
  const out = new Response(body, response)
  if (held?.waited) out.headers.set(COLD_START, String(held.coldStartMs))
  return out
}

export const forwardOrWake = (): MiddlewareHandler<EdgeEnv> =>
  async function forwardOrWake(c) {
    const route = c.get('route')
    const target: MeterTarget = { slug: route.slug, agentId: route.agentId, tenantId: route.tenantId }
    let held: Held | null = warmAgents.isWarm(route.agentId) ? null : await hold(c, false)
    let response = await origin(c)
    if (isNoEndpoints(response)) {
      warmAgents.forget(route.agentId)
      await response.body?.cancel()
      if (c.req.raw.body !== null) {
        c.executionCtx.waitUntil(gateFor(c.env, route.slug).nudge(route, true).catch(() => undefined))
        throw unavailable('agent-restarting', 'The superfriend is waking up; retry shortly', RETRY_AFTER_REPLAY_S)
      }
      held = await hold(c, true)
      response = await origin(c)
      if (isNoEndpoints(response)) {
        warmAgents.forget(route.agentId)
        await response.body?.cancel()
        throw unavailable('agent-unavailable', 'The superfriend is not answering; retry shortly', RETRY_AFTER_REPLAY_S)
      }
    }
    // Every answer that is not "no endpoints" says the agent is up: keep this isolate's warm mark fresh.
    warmAgents.markWarm(route.agentId, c.get('config').gateIdleMs)
    return account(c, target, response, held)
  }
