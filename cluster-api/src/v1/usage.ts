// /v1/usage: totals per UTC day for the caller's tenant, or one of its agents, over a time range.

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { ApiDeps } from '../context.ts'
import { findAgent } from '../db/queries/agents.ts'
import { usagePerDay } from '../db/queries/usage.ts'
import { notFoundError } from '../http/problems.ts'
import { READ_USAGE, resolveTenant, type AuthEnv } from '../auth/principal.ts'
import { errorResponses, jsonResponse, TenantHeaders, UsageQuery, UsageSchema } from './schemas.ts'
import { ProblemError } from '../../../wire/problem.ts'

const DAY_MS = 86_400_000
const DEFAULT_RANGE_MS = 30 * DAY_MS
/** One report covers at most a year of daily rows. */
const MAX_RANGE_MS = 366 * DAY_MS

export function registerUsageRoutes(app: OpenAPIHono<AuthEnv>, deps: ApiDeps): void {
  app.openapi(createRoute({
    method: 'get', path: '/v1/usage', tags: ['usage'], security: [{ bearer: [] }],
    summary: 'Usage totals per day for the tenant or one agent',
    request: { headers: TenantHeaders, query: UsageQuery },
    responses: { 200: jsonResponse(UsageSchema, 'Daily totals and the sum over the range'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, READ_USAGE)
    const query = c.req.valid('query')
    const to = query.to ? new Date(query.to) : new Date()
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_RANGE_MS)
    if (!(from < to) || to.getTime() - from.getTime() > MAX_RANGE_MS) {
      throw new ProblemError({ status: 422, code: 'invalid-range', title: 'Time range must have from < to and span at most 366 days' })
    }
    if (query.agentId && !(await findAgent(deps.db, tenantId, query.agentId))) throw notFoundError('Agent')
    const days = await usagePerDay(deps.db, tenantId, { from, to, agentId: query.agentId })
    const totals = { requests: 0, bytesIn: 0, bytesOut: 0, wakes: 0, coldStartMs: 0, tokensIn: 0, tokensOut: 0, activeSeconds: 0, toolCalls: 0 }
    for (const day of days) for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += day[key]
    return c.json({ tenantId, agentId: query.agentId ?? null, from: from.toISOString(), to: to.toISOString(), days, totals }, 200)
  })
}
