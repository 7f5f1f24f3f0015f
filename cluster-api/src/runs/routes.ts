// /v1/agents/{id}/runs: create (202, queued), list (newest first, cursor, filters), get, cancel, and the run's events
// as a resumable SSE stream (Last-Event-ID). Always within the caller's tenant, like the agent routes.

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { ProblemError } from '../../../wire/problem.ts'
import { READ_AGENTS, requirePrincipal, resolveTenant, WRITE_AGENTS, type AuthEnv, type Principal } from '../auth/principal.ts'
import type { ApiDeps } from '../context.ts'
import { findAgent } from '../db/queries/agents.ts'
import { isId } from '../db/ids.ts'
import type { Agent } from '../db/schema/index.ts'
import { notFoundError } from '../http/problems.ts'
import { errorResponses, jsonBody, jsonResponse, TenantHeaders } from '../v1/schemas.ts'
import { eventsAfter, findRun, finishRun, insertRun, listRuns, appendEvent, TERMINAL_STATUSES } from './queries.ts'
import type { RunQueue } from './run-queue.ts'
import { CreateRunSchema, RunListQuery, RunListSchema, RunParams, RunSchema, serializeRun } from './schemas.ts'

const security = [{ bearer: [] }]
const tags = ['runs']
/** How often an open event stream reads the database for events another process wrote. */
export const EVENT_POLL_MS = 500
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000

const problem409 = { 409: { description: 'The agent is paused, or the run is over', content: { 'application/problem+json': { schema: errorResponses[400].content['application/problem+json'].schema } } } }

/** Who a run speaks as to the runtime: the caller that created it (a member of the tenant; docs: runs/README.md). */
export function principalText(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.userId}` : `key:${principal.keyId}`
}

export async function agentForWrite(c: Context<AuthEnv>, deps: ApiDeps, agentId: string): Promise<{ agent: Agent; principal: string }> {
  const { tenantId } = await resolveTenant(c, deps.db, WRITE_AGENTS)
  const agent = await findAgent(deps.db, tenantId, agentId)
  if (!agent) throw notFoundError('Agent')
  if (agent.desiredState === 'paused') throw new ProblemError({ status: 409, code: 'agent-paused', title: 'The agent is paused by its owner' })
  return { agent, principal: principalText(requirePrincipal(c)) }
}

const encodeCursor = (id: string) => Buffer.from(id).toString('base64url')
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString()

export function registerRunRoutes(app: OpenAPIHono<AuthEnv>, deps: ApiDeps, queue: () => RunQueue | null): void {
  const runQueue = () => {
    const q = queue()
    if (!q) throw new ProblemError({ status: 503, code: 'runs-unavailable', title: 'Runs are not enabled on this cluster-api', headers: { 'retry-after': '30' } })
    return q
  }

  app.openapi(createRoute({
    method: 'post', path: '/v1/agents/{id}/runs', tags, security, summary: 'Queue a run: one turn no open request waits for',
    description: 'Answers at once (202) with the queued run; the run wakes the agent, sends the input as a chat turn and stores its events.',
    request: { headers: TenantHeaders, params: RunParams.pick({ id: true }), body: jsonBody(CreateRunSchema) },
    responses: { 202: jsonResponse(RunSchema, 'The queued run'), ...errorResponses, ...problem409 },
  }), async (c) => {
    const { agent, principal } = await agentForWrite(c, deps, c.req.valid('param').id)
    const body = c.req.valid('json')
    const q = runQueue()
    const run = await insertRun(deps.db, { tenantId: agent.tenantId, agentId: agent.id, trigger: 'api', input: body.input, conversationId: body.conversationId ?? null, principal })
    // Lost only if this process dies right here: the queue's sweep sends a queued run without a job again.
    await q.send(run.id)
    return c.json(serializeRun(run), 202)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/agents/{id}/runs', tags, security, summary: 'List the agent\'s runs, newest first',
    request: { headers: TenantHeaders, params: RunParams.pick({ id: true }), query: RunListQuery },
    responses: { 200: jsonResponse(RunListSchema, 'A page of runs'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, READ_AGENTS)
    const agent = await findAgent(deps.db, tenantId, c.req.valid('param').id)
    if (!agent) throw notFoundError('Agent')
    const { limit, cursor, status, trigger } = c.req.valid('query')
    const before = cursor === undefined ? undefined : decodeCursor(cursor)
    if (before !== undefined && !isId(before)) throw new ProblemError({ status: 422, code: 'invalid-cursor', title: 'Cursor is not one this API handed out' })
    const rows = await listRuns(deps.db, tenantId, agent.id, { limit: limit + 1, before, status, trigger })
    const page = rows.slice(0, limit)
    return c.json({ items: page.map(serializeRun), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!.id) : null }, 200)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/agents/{id}/runs/{runId}', tags, security, summary: 'Get a run',
    request: { headers: TenantHeaders, params: RunParams },
    responses: { 200: jsonResponse(RunSchema, 'The run'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, READ_AGENTS)
    const { id, runId } = c.req.valid('param')
    const run = await findRun(deps.db, tenantId, id, runId)
    if (!run) throw notFoundError('Run')
    return c.json(serializeRun(run), 200)
  })

  app.openapi(createRoute({
    method: 'post', path: '/v1/agents/{id}/runs/{runId}/cancel', tags, security, summary: 'Cancel a queued or running run',
    description: 'A running turn is aborted within a second; what it said so far stays in its conversation. 409 when the run is over.',
    request: { headers: TenantHeaders, params: RunParams },
    responses: { 200: jsonResponse(RunSchema, 'The cancelled run'), ...errorResponses, ...problem409 },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, WRITE_AGENTS)
    const { id, runId } = c.req.valid('param')
    const run = await findRun(deps.db, tenantId, id, runId)
    if (!run) throw notFoundError('Run')
    if (!(await finishRun(deps.db, run.id, { status: 'cancelled' }))) {
      throw new ProblemError({ status: 409, code: 'run-finished', title: 'The run is over', detail: `the run is ${run.status}` })
    }
    await appendEvent(deps.db, run.id, 'status', { status: 'cancelled' })
    const q = queue()
    q?.feed.notify(run.id)
    await q?.cancel(run.id)
    return c.json(serializeRun((await findRun(deps.db, tenantId, id, runId))!), 200)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/agents/{id}/runs/{runId}/events', tags, security, summary: 'Stream a run\'s events (SSE, resumable)',
    description: 'Every stored event with `id:` (1, 2, 3 … per run), then the live tail until the run ends (a `status` event '
      + 'with the final status). Reconnect with `Last-Event-ID` (or `?after=`) to get exactly the events after that id. '
      + 'Events: `attempt`, `start`, `memory`, `delta`, tool events, `done`, `error`, `retry`, `status`. '
      + 'Leaving the stream does not stop the run.',
    request: { headers: TenantHeaders, params: RunParams },
    responses: { 200: { description: 'text/event-stream of the run\'s events', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, READ_AGENTS)
    const { id, runId } = c.req.valid('param')
    const run = await findRun(deps.db, tenantId, id, runId)
    if (!run) throw notFoundError('Run')
    const raw = c.req.header('last-event-id') ?? c.req.query('after') ?? '0'
    if (!/^\d{1,9}$/.test(raw.trim())) throw new ProblemError({
      status: 422, code: 'validation-failed', title: 'Last-Event-ID must be an event id this stream sent', detail: 'Last-Event-ID: a non-negative integer',
    })
    return eventStream(deps, queue(), run.id, Number(raw.trim()), c.req.raw.signal)
  })
}

function eventStream(deps: ApiDeps, queue: RunQueue | null, runId: string, after: number, requestSignal: AbortSignal): Response {
  const encoder = new TextEncoder()
  const closed = new AbortController()
  const signal = AbortSignal.any([closed.signal, requestSignal])
  let last = after
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => controller.enqueue(encoder.encode(text))
      let quietSince = Date.now()
      try {
        write('retry: 1000\n\n')
        for (;;) {
          const events = await eventsAfter(deps.db, runId, last)
          let over = false
          for (const event of events) {
            write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`)
            last = event.seq
            if (event.type === 'status' && TERMINAL_STATUSES.includes(String(event.data.status) as never)) over = true
          }
          if (events.length > 0) quietSince = Date.now()
          if (over || signal.aborted) break
          if (events.length === 500) continue
          if (Date.now() - quietSince > KEEPALIVE_MS) {
            write(': keep-alive\n\n')
            quietSince = Date.now()
          }
          await (queue ? queue.feed.wait(runId, EVENT_POLL_MS, signal) : new Promise((r) => setTimeout(r, EVENT_POLL_MS)))
        }
      } catch (error) {
        if (!signal.aborted) deps.logger.warn({ err: error, runId }, 'run event stream failed')
      } finally {
        try {
          controller.close()
        } catch { /* the client left */ }
      }
    },
    cancel() {
      closed.abort()
    },
  })
  return new Response(stream, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' } })
}
