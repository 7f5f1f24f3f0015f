// Forward or wake, then account. A warm agent's request goes straight to the origin; any
// other takes a seat in the agent's AgentGate, waits until it is ready (one shared wait per isolate,
// gate/shared-wait.ts) and then sends its own request. A body up to REPLAY_BODY_MAX_BYTES is read first and kept
// (forward/request-body.ts), so an origin answer of "no endpoints" (a warm mark gone stale: the agent idled out,
// crashed, the platform restarted) sends the request back through the gate, which wakes the agent, and then again to
// the origin, each attempt signed anew. Only a larger body, already streamed, cannot be sent again: 503 +
// Retry-After that says why (and the gate starts the wake, so the retry finds it waking or warm).

import type { MiddlewareHandler } from 'hono'
import { COLD_START } from '../../../wire/headers.ts'
import { accessRecheck } from '../auth/access-recheck.ts'
import { gateFor, type EdgeContext, type EdgeEnv } from '../context.ts'
import { meterBody } from '../forward/metered-body.ts'
import { isNoEndpoints, OriginTimeout, sendToOrigin } from '../forward/origin-request.ts'
import { canResend, sizeOf, takeBody, UnreadableBody, type ForwardBody } from '../forward/request-body.ts'
import { relayWebSocket } from '../forward/websocket-relay.ts'
import type { HoldResult } from '../gate/protocol.ts'
import { holdShared } from '../gate/shared-wait.ts'
import { originTimedOut, originUnreachable, unavailable } from '../problems.ts'
import { recordUsage, type MeterTarget } from '../usage/usage-meter.ts'
import { warmAgents } from '../warm-agents.ts'
import { ProblemError } from '../../../wire/problem.ts'

/** Retry-After when the agent met by a request was not there: the wake it triggered takes seconds. */
export const RETRY_AFTER_REPLAY_S = 2
/** Retry-After of a 502 (no answer at all from the origin) and a 504 (no answer in time). */
export const RETRY_AFTER_ORIGIN_S = 2
/**
 * Pauses before each replay through the gate after a "no endpoints" answer: the first goes at once (the gate wakes the
 * agent and holds until the driver says it is ready); later ones give an ingress that learns of a new endpoint after
 * the driver does (Traefik reloads its routers within its providers throttle, 2 s by default) time to catch up.
 * Past the last, 503 + Retry-After.
 */
export const REPLAY_PAUSES_MS = [0, 1_000, 2_000] as const

type Held = { waited: boolean; coldStartMs: number }

/** A hold, traced: the gate's wake continues this span (its traceparent goes to the gate with the seat). */
async function hold(c: EdgeContext, noEndpoints: boolean): Promise<Held> {
  const span = c.get('span')?.child('gate hold') ?? null
  try {
    const held = await holdInGate(c, noEndpoints, span?.traceparent())
    span?.span.setAttribute('myintell.waited', held.waited)
    span?.end()
    return held
  } catch (error) {
    span?.end({ failed: true })
    throw error
  }
}

async function holdInGate(c: EdgeContext, noEndpoints: boolean, traceparent: string | undefined): Promise<Held> {
  const route = c.get('route')
  const options = { keepAlive: (pending: Promise<unknown>) => c.executionCtx.waitUntil(pending), traceparent }
  let result: HoldResult
  try {
    result = await holdShared(gateFor(c.env, route.slug), route, noEndpoints, options)
  } catch {
    // The gate was reset (deploy, eviction) while we waited: its storage still says "waking", so a fresh
    // stub and a fresh seat resume the same wake instead of starting another.
    try {
      result = await holdShared(gateFor(c.env, route.slug), route, noEndpoints, options)
    } catch (error) {
      throw new ProblemError({
        status: 503, code: 'gate-unavailable', title: 'The superfriend is temporarily unreachable',
        headers: { 'retry-after': '2' },
        cause: error,
      })
    }
  }
  if (!result.ok) throw unavailable(result.code, result.title, result.retryAfterSeconds)
  warmAgents.markWarm(route.agentId)
  return { waited: result.waited, coldStartMs: result.coldStartMs }
}

const unreachable = (cause: unknown) => originUnreachable(RETRY_AFTER_ORIGIN_S, cause)

async function attempt(c: EdgeContext, body: ForwardBody): Promise<Response> {
  try {
    return await sendToOrigin(c, body)
  } catch (error) {
    if (error instanceof OriginTimeout) throw originTimedOut(error.timeoutMs, RETRY_AFTER_ORIGIN_S, error)
    throw error
  }
}

async function origin(c: EdgeContext, body: ForwardBody): Promise<Response> {
  try {
    return await attempt(c, body)
  } catch (first) {
    if (first instanceof ProblemError) throw first
    // No answer at all (a pooled connection the origin had just closed): safe to try once more with a body the edge
    // still has (none, or kept), never with one already streamed.
    if (!canResend(body)) throw unreachable(first)
    try {
      return await attempt(c, body)
    } catch (second) {
      throw second instanceof ProblemError ? second : unreachable(second)
    }
  }
}

/** A streamed body (over the replay bound) met "no endpoints": it is spent, and the client must send it again. */
function bodyNotKept(c: EdgeContext): ProblemError {
  const max = c.get('config').replayBodyMaxBytes
  return new ProblemError({
    status: 503, code: 'agent-restarting', title: 'The superfriend is waking up; retry shortly',
    detail: `The superfriend had gone to sleep, and this request's body (over ${max} bytes, streamed without a copy) `
      + `was already sent, so the edge could not send it again. The superfriend is waking now: retry after ${RETRY_AFTER_REPLAY_S} s.`,
    extensions: { reason: 'body-not-kept', replayBodyMaxBytes: max },
    headers: { 'retry-after': String(RETRY_AFTER_REPLAY_S) },
  })
}

function pause(ms: number): Promise<void> {
  return ms > 0 ? scheduler.wait(ms) : Promise.resolve()
}

function account(c: EdgeContext, target: MeterTarget, response: Response, held: Held | null, body: ForwardBody): Response {
  const env = c.env
  const waitUntil = (p: Promise<void> | null) => {
    if (!p) return
    try {
      c.executionCtx.waitUntil(p)
    } catch {
      // no execution context (the event already ended): the push still runs
    }
  }
  const bytesIn = sizeOf(body, c.req.header('content-length'))
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
  let out = response.body
  if (out && (stream || length === null)) {
    // Streamed or chunked: count the bytes as they pass and learn when the stream ends.
    out = meterBody(out, (bytes) => waitUntil(recordUsage(env, target, { bytesOut: bytes, streamsClosed: stream ? 1 : 0 })))
    waitUntil(recordUsage(env, target, { requests: 1, bytesIn, streamsOpened: stream ? 1 : 0 }))
  } else {
    // A sized body keeps workerd's native pass-through (a JS transform per chunk costs ~3× the throughput).
    waitUntil(recordUsage(env, target, { requests: 1, bytesIn, bytesOut: Number(length ?? 0) || 0 }))
  }
  const answer = new Response(out, response)
  if (held?.waited) answer.headers.set(COLD_START, String(held.coldStartMs))
  return answer
}

export const forwardOrWake = (): MiddlewareHandler<EdgeEnv> =>
  async function forwardOrWake(c) {
    const route = c.get('route')
    const target: MeterTarget = { slug: route.slug, agentId: route.agentId, tenantId: route.tenantId }
    let body: ForwardBody
    try {
      body = await takeBody(c.req.raw.body, c.req.header('content-length'), c.get('config').replayBodyMaxBytes)
    } catch (error) {
      if (error instanceof UnreadableBody) throw new ProblemError({
        status: 400, code: 'unreadable-body', title: 'The request body could not be read',
        cause: error,
      })
      throw error
    }
    let held: Held | null = warmAgents.isWarm(route.agentId) ? null : await hold(c, false)
    let response = await origin(c, body)
    for (let replay = 0; isNoEndpoints(response); replay++) {
      warmAgents.forget(route.agentId)
      await response.body?.cancel()
      if (!canResend(body)) {
        c.executionCtx.waitUntil(gateFor(c.env, route.slug).nudge(route, true).catch(() => undefined))
        throw bodyNotKept(c)
      }
      if (replay === REPLAY_PAUSES_MS.length) {
        throw unavailable('agent-unavailable', 'The superfriend is not answering; retry shortly', RETRY_AFTER_REPLAY_S)
      }
      await pause(REPLAY_PAUSES_MS[replay]!)
      const again = await hold(c, true)
      held = { waited: (held?.waited ?? false) || again.waited, coldStartMs: (held?.coldStartMs ?? 0) + again.coldStartMs }
      response = await origin(c, body)
    }
    // Every answer that is not "no endpoints" says the agent is up: keep this isolate's warm mark fresh.
    warmAgents.markWarm(route.agentId, c.get('config').gateIdleMs)
    return account(c, target, response, held, body)
  }
