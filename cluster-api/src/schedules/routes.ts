// /v1/agents/{id}/schedules: create (cron + timezone, a one-shot `at`, or `every`), list, get, change / pause / resume
// (PATCH), delete. Each fire creates a run (trigger `schedule`); the next fire time is shown as `nextRunAt`.

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { ProblemError } from '../../../wire/problem.ts'
import { READ_AGENTS, resolveTenant, WRITE_AGENTS, type AuthEnv } from '../auth/principal.ts'
import type { ApiDeps } from '../context.ts'
import { findAgent } from '../db/queries/agents.ts'
import { isId } from '../db/ids.ts'
import { notFoundError } from '../http/problems.ts'
import { agentForWrite } from '../runs/routes.ts'
import {
  CreateScheduleSchema, ScheduleListQuery, ScheduleListSchema, ScheduleParams, ScheduleSchema, serializeSchedule, UpdateScheduleSchema,
} from '../runs/schemas.ts'
import { errorResponses, jsonBody, jsonResponse, TenantHeaders } from '../v1/schemas.ts'
import { deleteSchedule, findSchedule, insertSchedule, listSchedules, timingOf, TooManySchedules, updateSchedule } from './queries.ts'
import { checkTiming, nextFire, parseEvery, type Timing } from './timing.ts'

const security = [{ bearer: [] }]
const tags = ['schedules']
const problem409 = { 409: { description: 'The agent is paused', content: { 'application/problem+json': { schema: errorResponses[400].content['application/problem+json'].schema } } } }

function timingFrom(body: { cron?: string | undefined; timezone?: string | undefined; at?: string | undefined; every?: string | undefined }): Timing | null {
  if (body.cron !== undefined) return { kind: 'cron', cron: body.cron, timezone: body.timezone ?? 'UTC' }
  if (body.at !== undefined) return { kind: 'at', at: new Date(body.at) }
  if (body.every !== undefined) return { kind: 'every', everyMs: parseEvery(body.every) }
  return null
}

export function registerScheduleRoutes(app: OpenAPIHono<AuthEnv>, deps: ApiDeps, options: { maxPerAgent: number }): void {
  app.openapi(createRoute({
    method: 'post', path: '/v1/agents/{id}/schedules', tags, security, summary: 'Create a schedule',
    description: 'Exactly one of `cron` (with an optional IANA `timezone`, default UTC), `at` (once, in the future) or `every` '
      + `(at least one minute). At most ${options.maxPerAgent} schedules per agent. Invalid timing: 422 naming the field.`,
    request: { headers: TenantHeaders, params: ScheduleParams.pick({ id: true }), body: jsonBody(CreateScheduleSchema) },
    responses: { 201: jsonResponse(ScheduleSchema, 'The schedule'), ...errorResponses, ...problem409 },
  }), async (c) => {
    const { agent, principal } = await agentForWrite(c, deps, c.req.valid('param').id)
    const body = c.req.valid('json')
    const now = new Date()
    const timing = timingFrom(body)!
    checkTiming(timing, now)
    try {
      const schedule = await insertSchedule(deps.db, {
        tenantId: agent.tenantId, agentId: agent.id, input: body.input, timing, nextRunAt: nextFire(timing, now, null), principal, limit: options.maxPerAgent,
      })
      return c.json(serializeSchedule(schedule), 201)
    } catch (error) {
      if (!(error instanceof TooManySchedules)) throw error
      throw new ProblemError({
        status: 422, code: 'too-many-schedules', title: 'The agent has as many schedules as it may have',
        detail: `schedules: at most ${options.maxPerAgent} per agent`, extensions: { errors: [{ path: 'schedules', message: error.message }], limit: options.maxPerAgent },
      })
    }
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/agents/{id}/schedules', tags, security, summary: 'List the agent\'s schedules, oldest first',
    request: { headers: TenantHeaders, params: ScheduleParams.pick({ id: true }), query: ScheduleListQuery },
    responses: { 200: jsonResponse(ScheduleListSchema, 'A page of schedules'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, READ_AGENTS)
    const agent = await findAgent(deps.db, tenantId, c.req.valid('param').id)
    if (!agent) throw notFoundError('Agent')
    const { limit, cursor } = c.req.valid('query')
    const after = cursor === undefined ? undefined : Buffer.from(cursor, 'base64url').toString()
    if (after !== undefined && !isId(after)) throw new ProblemError({ status: 422, code: 'invalid-cursor', title: 'Cursor is not one this API handed out' })
    const rows = await listSchedules(deps.db, tenantId, agent.id, { limit: limit + 1, after })
    const page = rows.slice(0, limit)
    return c.json({ items: page.map(serializeSchedule), nextCursor: rows.length > limit ? Buffer.from(page.at(-1)!.id).toString('base64url') : null }, 200)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/agents/{id}/schedules/{scheduleId}', tags, security, summary: 'Get a schedule',
    request: { headers: TenantHeaders, params: ScheduleParams },
    responses: { 200: jsonResponse(ScheduleSchema, 'The schedule'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, READ_AGENTS)
    const { id, scheduleId } = c.req.valid('param')
    const schedule = await findSchedule(deps.db, tenantId, id, scheduleId)
    if (!schedule) throw notFoundError('Schedule')
    return c.json(serializeSchedule(schedule), 200)
  })

  app.openapi(createRoute({
    method: 'patch', path: '/v1/agents/{id}/schedules/{scheduleId}', tags, security, summary: 'Change, pause or resume a schedule',
    description: 'Resuming computes the next fire from now: fires that fell in the pause are skipped.',
    request: { headers: TenantHeaders, params: ScheduleParams, body: jsonBody(UpdateScheduleSchema) },
    responses: { 200: jsonResponse(ScheduleSchema, 'The schedule'), ...errorResponses, ...problem409 },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, WRITE_AGENTS)
    const { id, scheduleId } = c.req.valid('param')
    const schedule = await findSchedule(deps.db, tenantId, id, scheduleId)
    if (!schedule) throw notFoundError('Schedule')
    const body = c.req.valid('json')
    const now = new Date()
    const changed = timingFrom(body.timezone !== undefined && body.cron === undefined && schedule.kind === 'cron' ? { ...body, cron: schedule.cron! } : body)
    if (changed) checkTiming(changed, now)
    const timing = changed ?? timingOf(schedule)
    const resumed = body.paused === false && schedule.paused
    // A new timing or a resume starts from now; otherwise the stored next fire stands.
    const nextRunAt = changed || resumed ? nextFire(timing, now, null) : schedule.nextRunAt
    const updated = await updateSchedule(deps.db, schedule, { input: body.input, timing: changed ?? undefined, paused: body.paused, nextRunAt })
    if (!updated) throw notFoundError('Schedule')
    return c.json(serializeSchedule(updated), 200)
  })

  app.openapi(createRoute({
    method: 'delete', path: '/v1/agents/{id}/schedules/{scheduleId}', tags, security, summary: 'Delete a schedule (its runs stay)',
    request: { headers: TenantHeaders, params: ScheduleParams },
    responses: { 204: { description: 'Deleted' }, ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, WRITE_AGENTS)
    const { id, scheduleId } = c.req.valid('param')
    if (!(await deleteSchedule(deps.db, tenantId, id, scheduleId))) throw notFoundError('Schedule')
    return c.body(null, 204)
  })
}
