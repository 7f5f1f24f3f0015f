// /v1/agents/:id/secrets: an agent's write-only secrets. Set (create or replace), list (names and times, never a value),
// delete. Tenant-scoped like the agent itself: another tenant's agent is not found. A change reaches the agent's
// runtime through the driver (ensure): a running local runtime gets the new config at once (PUT /_myintell/config,
// applied on its next turn); a Kubernetes pod is rolled with its new Secret; a sleeping agent gets it on its next wake.

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { MAX_SECRET_VALUE_BYTES, SECRET_NAME } from '../../../wire/agent-tools.ts'
import { ProblemError } from '../../../wire/problem.ts'
import { READ_AGENTS, resolveTenant, WRITE_AGENTS, type AuthEnv } from '../auth/principal.ts'
import type { ApiDeps } from '../context.ts'
import { findAgent } from '../db/queries/agents.ts'
import { notFoundError } from '../http/problems.ts'
import type { Workloads } from '../workloads/workloads.ts'
import { secretsInUse } from './agent-tools.ts'
import { errorResponses, jsonBody, jsonResponse, secretInUseResponse, TenantHeaders } from './schemas.ts'

const security = [{ bearer: [] }]
const tags = ['secrets']

const SecretParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' } }),
  name: z.string().openapi({ param: { name: 'name', in: 'path' }, description: 'Upper-case letters, digits and _, starting with a letter, at most 64' }),
})
const AgentParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })

const PutSecretSchema = z.strictObject({
  value: z.string().refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_SECRET_VALUE_BYTES, `must be at most ${MAX_SECRET_VALUE_BYTES} bytes (UTF-8)`)
    .openapi({ description: `The value, at most ${MAX_SECRET_VALUE_BYTES} bytes. Encrypted at rest; never returned.` }),
}).openapi('PutSecret')
const Timestamp = z.string().openapi({ format: 'date-time' })
const SecretSchema = z.object({ name: z.string(), createdAt: Timestamp, updatedAt: Timestamp }).openapi('Secret')
const SecretListSchema = z.object({ items: z.array(SecretSchema) }).openapi('SecretList')

function assertSecretName(name: string): void {
  if (SECRET_NAME.test(name)) return
  throw new ProblemError({
    status: 422, code: 'validation-failed', title: 'Request does not match the schema',
    detail: 'name: must be [A-Z][A-Z0-9_]{0,63} (upper-case letters, digits and _, starting with a letter)',
    extensions: { issues: [{ path: 'name', message: 'must be [A-Z][A-Z0-9_]{0,63}', code: 'invalid_format' }] },
  })
}

export function registerSecretRoutes(app: OpenAPIHono<AuthEnv>, deps: ApiDeps, workloads: Workloads): void {
  app.openapi(createRoute({
    method: 'put', path: '/v1/agents/{id}/secrets/{name}', tags, security, summary: 'Set an agent secret (create or replace)',
    description: 'The value is encrypted at rest (AES-256-GCM) and never returned. The agent\'s runtime receives it in its '
      + 'secrets map, over the platform\'s default of the same name (e.g. OPENAI_API_KEY, OPENAI_BASE_URL).',
    request: { headers: TenantHeaders, params: SecretParams, body: jsonBody(PutSecretSchema) },
    responses: { 201: jsonResponse(SecretSchema, 'Created'), 200: jsonResponse(SecretSchema, 'Replaced'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, WRITE_AGENTS)
    const { id, name } = c.req.valid('param')
    const agent = await findAgent(deps.db, tenantId, id)
    if (!agent) throw notFoundError('Agent')
    assertSecretName(name)
    const { value } = c.req.valid('json')
    const stored = await deps.secrets.put(agent.id, name, value)
    await workloads.ensureQuietly(agent)
    const body = { name, createdAt: stored.createdAt.toISOString(), updatedAt: stored.updatedAt.toISOString() }
    return stored.created ? c.json(body, 201) : c.json(body, 200)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/agents/{id}/secrets', tags, security, summary: 'List an agent\'s secrets: names and times, never values',
    request: { headers: TenantHeaders, params: AgentParams },
    responses: { 200: jsonResponse(SecretListSchema, 'The agent\'s secrets by name'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, READ_AGENTS)
    const agent = await findAgent(deps.db, tenantId, c.req.valid('param').id)
    if (!agent) throw notFoundError('Agent')
    const items = (await deps.secrets.list(agent.id)).map((secret) => ({
      name: secret.name, createdAt: secret.createdAt.toISOString(), updatedAt: secret.updatedAt.toISOString(),
    }))
    return c.json({ items }, 200)
  })

  app.openapi(createRoute({
    method: 'delete', path: '/v1/agents/{id}/secrets/{name}', tags, security, summary: 'Delete an agent secret',
    description: 'Refused with 409 secret-in-use while one of the agent\'s MCP servers sends it as a header: remove or '
      + 'change that server first, so no MCP server is left naming a secret that is gone.',
    request: { headers: TenantHeaders, params: SecretParams },
    responses: { 204: { description: 'Deleted' }, ...errorResponses, ...secretInUseResponse },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, WRITE_AGENTS)
    const { id, name } = c.req.valid('param')
    const agent = await findAgent(deps.db, tenantId, id)
    if (!agent) throw notFoundError('Agent')
    if (!SECRET_NAME.test(name)) throw notFoundError('Secret')
    const users = secretsInUse(agent.mcpServers).get(name)
    if (users) {
      throw new ProblemError({
        status: 409, code: 'secret-in-use', title: 'The secret is in use',
        detail: `MCP server ${users.join(', ')} sends ${name} as a header; remove it from the server first`,
        extensions: { mcpServers: users },
      })
    }
    if (!(await deps.secrets.delete(agent.id, name))) throw notFoundError('Secret')
    await workloads.ensureQuietly(agent)
    return c.body(null, 204)
  })
}
