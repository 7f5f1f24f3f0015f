// /v1/api-keys: create (plaintext returned once), list (never the secret), revoke.

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { CHAT_SCOPE } from '../../../wire/internal-api.ts'
import type { ApiDeps } from '../context.ts'
import { createApiKey, listApiKeys, revokeApiKey } from '../db/queries/api-keys.ts'
import { notFoundError } from '../http/problems.ts'
import { assertGrantable, MANAGE_KEYS, resolveTenant, type AuthEnv } from '../auth/principal.ts'
import type { ApiKeyScope } from '../db/schema/index.ts'
import {
  ApiKeyListSchema, ApiKeySchema, CreateApiKeySchema, CreatedApiKeySchema, errorResponses, IdParams, jsonBody, jsonResponse,
  serializeApiKey, TenantHeaders,
} from './schemas.ts'

/**
 * A key created without a scope list (the CLI's and the dashboard's default): talk to agents and read them. Typed as
 * ApiKeyScope[], so wire's CHAT_SCOPE (what the edge checks) cannot drift from the scopes a key can be given here.
 */
export const DEFAULT_KEY_SCOPES: ApiKeyScope[] = [CHAT_SCOPE, 'agents:read']

const security = [{ bearer: [] }]
const tags = ['api-keys']

export function registerApiKeyRoutes(app: OpenAPIHono<AuthEnv>, deps: ApiDeps): void {
  app.openapi(createRoute({
    method: 'post', path: '/v1/api-keys', tags, security, summary: 'Create an API key; the plaintext is returned once',
    request: { headers: TenantHeaders, body: jsonBody(CreateApiKeySchema) },
    responses: { 201: jsonResponse(CreatedApiKeySchema, 'The new key, with its plaintext'), ...errorResponses },
  }), async (c) => {
    const { tenantId, principal } = await resolveTenant(c, deps.db, MANAGE_KEYS)
    const body = c.req.valid('json')
    const scopes = body.scopes ? [...new Set(body.scopes)] : DEFAULT_KEY_SCOPES
    assertGrantable(principal, scopes)
    const { key, plaintext } = await createApiKey(deps.db, tenantId, {
      name: body.name,
      scopes,
      createdBy: principal.kind === 'user' ? principal.userId : `key:${principal.keyId}`,
    })
    return c.json({ ...serializeApiKey(key), key: plaintext }, 201)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/api-keys', tags, security, summary: 'List API keys (without secrets)',
    request: { headers: TenantHeaders },
    responses: { 200: jsonResponse(ApiKeyListSchema, 'The tenant\'s keys'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, MANAGE_KEYS)
    return c.json({ items: (await listApiKeys(deps.db, tenantId)).map(serializeApiKey) }, 200)
  })

  app.openapi(createRoute({
    method: 'delete', path: '/v1/api-keys/{id}', tags, security, summary: 'Revoke an API key (it stays listed, with revokedAt)',
    request: { headers: TenantHeaders, params: IdParams },
    responses: { 200: jsonResponse(ApiKeySchema, 'The revoked key'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, MANAGE_KEYS)
    const key = await revokeApiKey(deps.db, tenantId, c.req.valid('param').id)
    if (!key) throw notFoundError('API key')
    return c.json(serializeApiKey(key), 200)
  })
}
