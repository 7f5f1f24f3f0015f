// /v1/agents: create, list (cursor pagination), get, update, delete — always within the caller's tenant.

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { checkSlug } from '../../../wire/slug.ts'
import type { ApiDeps } from '../context.ts'
import { deleteAgentOwingPurge } from '../db/queries/agent-data-purges.ts'
import { createAgent, findAgent, listAgents, updateAgent } from '../db/queries/agents.ts'
import { isUniqueViolation } from '../db/errors.ts'
import { isId } from '../db/ids.ts'
import { notFoundError } from '../http/problems.ts'
import { READ_AGENTS, resolveTenant, WRITE_AGENTS, type AuthEnv } from '../auth/principal.ts'
import { REQUEST_LEASE_MS, type AgentDataPurger } from '../tenant-db/agent-data-purger.ts'
import type { Workloads } from '../workloads/workloads.ts'
import {
  AgentListQuery, AgentListSchema, AgentSchema, conflictResponse, CreateAgentSchema, defaultModelFor, errorResponses, IdParams,
  jsonBody, jsonResponse, serializeAgent, TenantHeaders, UpdateAgentSchema,
} from './schemas.ts'
import { ProblemError } from '../../../wire/problem.ts'
import { DEFAULT_TOOLS } from '../../../wire/agent-tools.ts'
import { listAgentSecretNames, withAgentLocked } from '../db/queries/agent-secrets.ts'
import { mcpHeaderIssues, mcpUrlIssues, refuseIssues } from './agent-tools.ts'
import { checkDelegates, followDelegate } from '../delegation/delegates-config.ts'

const security = [{ bearer: [] }]
const tags = ['agents']

export function assertSlug(slug: string): void {
  const broken = checkSlug(slug)
  if (broken) {
    throw new ProblemError({
      status: 422, code: 'invalid-slug', title: 'Slug breaks a rule',
      detail: `slug ${broken.message}`,
      extensions: { rule: broken.rule },
    })
  }
}

export const slugTaken = (slug: string) => new ProblemError({
  status: 409, code: 'slug-taken', title: 'Slug is already taken',
  detail: `"${slug}" belongs to another agent`,
})

const encodeCursor = (id: string) => Buffer.from(id).toString('base64url')
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString()

export function registerAgentRoutes(app: OpenAPIHono<AuthEnv>, deps: ApiDeps, workloads: Workloads, purger: AgentDataPurger): void {
  app.openapi(createRoute({
    method: 'post', path: '/v1/agents', tags, security, summary: 'Create an agent',
    request: { headers: TenantHeaders, body: jsonBody(CreateAgentSchema) },
    responses: { 201: jsonResponse(AgentSchema, 'The new agent'), ...errorResponses, ...conflictResponse },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, WRITE_AGENTS)
    const body = c.req.valid('json')
    assertSlug(body.slug)
    // A new agent has no secrets yet: an MCP header can name one only once it is set (PATCH after PUT .../secrets).
    if (body.mcpServers) refuseIssues([...(await mcpUrlIssues(deps, body.mcpServers)), ...mcpHeaderIssues(body.mcpServers, new Set())])
    if (body.delegates) await checkDelegates(deps.db, tenantId, { slug: body.slug }, body.delegates)
    let agent
    try {
      agent = await createAgent(deps.db, tenantId, {
        slug: body.slug,
        name: body.name,
        persona: body.persona ?? { systemPrompt: '', style: '' },
        model: body.model ?? defaultModelFor(deps.runtimeSecrets),
        visibility: body.visibility ?? 'private',
        desiredState: body.desiredState ?? 'running',
        tools: body.tools ?? [...DEFAULT_TOOLS],
        mcpServers: body.mcpServers ?? [],
        delegates: body.delegates ?? [],
      })
    } catch (error) {
      if (isUniqueViolation(error)) throw slugTaken(body.slug)
      throw error
    }
    await workloads.ensureQuietly(agent)
    return c.json(serializeAgent(agent), 201)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/agents', tags, security, summary: 'List agents, oldest first',
    request: { headers: TenantHeaders, query: AgentListQuery },
    responses: { 200: jsonResponse(AgentListSchema, 'A page of agents'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, READ_AGENTS)
    const { limit, cursor } = c.req.valid('query')
    const after = cursor === undefined ? undefined : decodeCursor(cursor)
    if (after !== undefined && !isId(after)) throw new ProblemError({
      status: 422, code: 'invalid-cursor', title: 'Cursor is not one this API handed out',
    })
    const rows = await listAgents(deps.db, tenantId, { limit: limit + 1, after })
    const page = rows.slice(0, limit)
    const nextCursor = rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null
    return c.json({ items: (await workloads.withLiveState(page)).map(serializeAgent), nextCursor }, 200)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/agents/{id}', tags, security, summary: 'Get an agent',
    request: { headers: TenantHeaders, params: IdParams },
    responses: { 200: jsonResponse(AgentSchema, 'The agent'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, READ_AGENTS)
    const agent = await findAgent(deps.db, tenantId, c.req.valid('param').id)
    if (!agent) throw notFoundError('Agent')
    const [live] = await workloads.withLiveState([agent])
    return c.json(serializeAgent(live!), 200)
  })

  app.openapi(createRoute({
    method: 'patch', path: '/v1/agents/{id}', tags, security, summary: 'Update an agent',
    request: { headers: TenantHeaders, params: IdParams, body: jsonBody(UpdateAgentSchema) },
    responses: { 200: jsonResponse(AgentSchema, 'The updated agent'), ...errorResponses, ...conflictResponse },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, WRITE_AGENTS)
    const patch = c.req.valid('json')
    const id = c.req.valid('param').id
    if (patch.slug !== undefined) assertSlug(patch.slug)
    const servers = patch.mcpServers
    const before = patch.delegates || patch.slug !== undefined ? await findAgent(deps.db, tenantId, id) : null
    if (patch.delegates) {
      if (!before) throw notFoundError('Agent')
      await checkDelegates(deps.db, tenantId, { slug: patch.slug ?? before.slug, previousSlug: before.slug }, patch.delegates)
    }
    let agent
    try {
      if (servers) {
        // Another tenant's agent is not found before anything about its MCP servers is told.
        if (!(await findAgent(deps.db, tenantId, id))) throw notFoundError('Agent')
        // DNS first, outside the lock; the headers are checked against the secrets under the agent's row lock,
        // which a secret's delete takes too, so no header is stored naming a secret deleted meanwhile.
        const urlIssues = await mcpUrlIssues(deps, servers)
        agent = await withAgentLocked(deps.db, tenantId, id, async (_current, tx) => {
          const names = new Set((await listAgentSecretNames(tx, id)).map((secret) => secret.name))
          refuseIssues([...urlIssues, ...mcpHeaderIssues(servers, names)])
          return updateAgent(tx, tenantId, id, patch)
        })
      } else {
        agent = await updateAgent(deps.db, tenantId, id, patch)
      }
    } catch (error) {
      if (isUniqueViolation(error)) throw slugTaken(patch.slug ?? '')
      throw error
    }
    if (!agent) throw notFoundError('Agent')
    await workloads.ensureQuietly(agent)
    if (before && before.slug !== agent.slug) {
      for (const caller of await followDelegate(deps.db, tenantId, before.slug, agent.slug)) await workloads.ensureQuietly(caller)
    }
    return c.json(serializeAgent(agent), 200)
  })

  app.openapi(createRoute({
    method: 'delete', path: '/v1/agents/{id}', tags, security,
    summary: 'Delete an agent, its workload, and its conversations, messages and memories',
    description: 'The agent\'s data in the tenant database is purged before the answer when that database answers; '
      + 'otherwise the purge is recorded with the delete and retried until it succeeds.',
    request: { headers: TenantHeaders, params: IdParams },
    responses: { 204: { description: 'Deleted' }, ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, WRITE_AGENTS)
    const id = c.req.valid('param').id
    const doomed = await findAgent(deps.db, tenantId, id)
    // The purge is owed from the same transaction as the delete: it cannot be lost, only delayed.
    if (!(await deleteAgentOwingPurge(deps.db, tenantId, id, REQUEST_LEASE_MS))) throw notFoundError('Agent')
    if (doomed) for (const caller of await followDelegate(deps.db, tenantId, doomed.slug, null)) await workloads.ensureQuietly(caller)
    // The runtime goes first, so that it writes nothing after its rows are purged.
    await workloads.removeQuietly(id)
    await purger.afterDelete(id)
    return c.body(null, 204)
  })
}
