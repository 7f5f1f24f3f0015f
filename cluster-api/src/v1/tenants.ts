// /v1/tenants: create (the caller becomes owner), list mine, get, update.

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { ApiDeps } from '../context.ts'
import { createTenantWithOwner, findMembershipRole, findTenantById, listTenantsOfUser, updateTenant } from '../db/queries/tenants.ts'
import { upsertUser } from '../db/queries/users.ts'
import { isUniqueViolation } from '../db/errors.ts'
import { notFoundError } from '../http/problems.ts'
import { requirePrincipal, requireUser, type AuthEnv } from '../auth/principal.ts'
import { assertSlug } from './agents.ts'
import {
  conflictResponse, CreateTenantSchema, errorResponses, IdParams, jsonBody, jsonResponse, serializeTenant, TenantListSchema,
  TenantSchema, UpdateTenantSchema,
} from './schemas.ts'
import { ProblemError } from '../../../wire/problem.ts'

const security = [{ bearer: [] }]
const tags = ['tenants']

export function registerTenantRoutes(app: OpenAPIHono<AuthEnv>, deps: ApiDeps): void {
  app.openapi(createRoute({
    method: 'post', path: '/v1/tenants', tags, security, summary: 'Create a tenant; you become its owner',
    request: { body: jsonBody(CreateTenantSchema) },
    responses: { 201: jsonResponse(TenantSchema, 'The new tenant'), ...errorResponses, ...conflictResponse },
  }), async (c) => {
    const user = requireUser(c)
    const body = c.req.valid('json')
    assertSlug(body.slug)
    await upsertUser(deps.db, user.userId, user.email)
    try {
      const tenant = await createTenantWithOwner(deps.db, body, user.userId)
      return c.json(serializeTenant(tenant, 'owner'), 201)
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProblemError({
        status: 409, code: 'slug-taken', title: 'Slug is already taken',
        detail: `tenant "${body.slug}" exists`,
      })
      throw error
    }
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/tenants', tags, security, summary: 'List the tenants you belong to',
    responses: { 200: jsonResponse(TenantListSchema, 'Your tenants'), ...errorResponses },
  }), async (c) => {
    const principal = requirePrincipal(c)
    if (principal.kind === 'key') {
      const tenant = await findTenantById(deps.db, principal.tenantId)
      return c.json({ items: tenant ? [serializeTenant(tenant, null)] : [] }, 200)
    }
    const tenants = await listTenantsOfUser(deps.db, principal.userId)
    return c.json({ items: tenants.map((t) => serializeTenant(t, t.role)) }, 200)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/tenants/{id}', tags, security, summary: 'Get a tenant',
    request: { params: IdParams },
    responses: { 200: jsonResponse(TenantSchema, 'The tenant'), ...errorResponses },
  }), async (c) => {
    const principal = requirePrincipal(c)
    const id = c.req.valid('param').id
    const role = principal.kind === 'user' ? await findMembershipRole(deps.db, id, principal.userId) : null
    const visible = principal.kind === 'key' ? principal.tenantId === id : role !== null
    const tenant = visible ? await findTenantById(deps.db, id) : null
    if (!tenant) throw notFoundError('Tenant')
    return c.json(serializeTenant(tenant, role), 200)
  })

  app.openapi(createRoute({
    method: 'patch', path: '/v1/tenants/{id}', tags, security, summary: 'Update a tenant (owner or admin)',
    request: { params: IdParams, body: jsonBody(UpdateTenantSchema) },
    responses: { 200: jsonResponse(TenantSchema, 'The updated tenant'), ...errorResponses },
  }), async (c) => {
    const principal = requirePrincipal(c)
    const id = c.req.valid('param').id
    if (principal.kind === 'key') {
      if (principal.tenantId !== id) throw notFoundError('Tenant')
      throw new ProblemError({ status: 403, code: 'forbidden', title: 'Tenants are changed by signed-in users, not API keys' })
    }
    const role = await findMembershipRole(deps.db, id, principal.userId)
    if (!role) throw notFoundError('Tenant')
    if (role === 'member') throw new ProblemError({ status: 403, code: 'forbidden', title: 'Only owners and admins may change the tenant' })
    const tenant = await updateTenant(deps.db, id, c.req.valid('json'))
    if (!tenant) throw notFoundError('Tenant')
    return c.json(serializeTenant(tenant, role), 200)
  })
}
