// /v1/api-keys: create (plaintext returned once), list (never the secret), revoke (with every key the key minted).

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { CHAT_SCOPE } from '../../../wire/internal-api.ts'
import type { ApiDeps } from '../context.ts'
import { createApiKey, createMintedApiKey, listApiKeys, revokeApiKey } from '../db/queries/api-keys.ts'
import { notFoundError, unauthorized } from '../http/problems.ts'
import { assertGrantable, MANAGE_KEYS, resolveTenant, type AuthEnv } from '../auth/principal.ts'
import type { ApiKeyScope } from '../db/schema/index.ts'
import {
  ApiKeyListSchema, CreateApiKeySchema, CreatedApiKeySchema, errorResponses, IdParams, jsonBody, jsonResponse,
  RevokedApiKeySchema, serializeApiKey, TenantHeaders,
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
    const created = principal.kind === 'user'
      ? await createApiKey(deps.db, tenantId, { name: body.name, scopes, createdBy: principal.userId })
      : await createMintedApiKey(deps.db, tenantId, principal.keyId, { name: body.name, scopes })
    // Only a minting key can be missing here: it was revoked after this request authenticated with it.
    if (!created) throw unauthorized('this API key has been revoked')
    return c.json({ ...serializeApiKey(created.key), key: created.plaintext }, 201)
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
    method: 'delete', path: '/v1/api-keys/{id}', tags, security,
    summary: 'Revoke an API key and every key it minted, transitively (they stay listed, with revokedAt)',
    request: { headers: TenantHeaders, params: IdParams },
    responses: { 200: jsonResponse(RevokedApiKeySchema, 'The revoked key'), ...errorResponses },
  }), async (c) => {
    const { tenantId } = await resolveTenant(c, deps.db, MANAGE_KEYS)
    const revoked = await revokeApiKey(deps.db, tenantId, c.req.valid('param').id)
    if (!revoked) throw notFoundError('API key')
    return c.json({ ...serializeApiKey(revoked.key), mintedKeysRevoked: revoked.mintedKeysRevoked }, 200)
  })
}
