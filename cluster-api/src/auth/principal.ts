// Who is calling /v1, and which tenant a request acts for (header X-MyIntell-Tenant).

import type { Context } from 'hono'
import type { ApiKeyScope, MembershipRole } from '../db/schema/index.ts'
import type { Db } from '../db/types.ts'
import { listMembershipsOfUser } from '../db/queries/tenants.ts'
import { notFoundError, unauthorized } from '../http/problems.ts'
import { ProblemError } from '../../../wire/problem.ts'

/** Chooses the tenant for a user with several; an API key is bound to its own tenant. */
export const TENANT_HEADER = 'x-myintell-tenant'

export type Principal =
  | { kind: 'user'; userId: string; email: string | null }
  | { kind: 'key'; keyId: string; tenantId: string; scopes: ApiKeyScope[] }

export type AuthEnv = { Variables: { principal: Principal | null } }

export interface TenantAccess {
  tenantId: string
  principal: Principal
  /** The user's role; null for an API key (scopes apply instead). */
  role: MembershipRole | null
}

export function requirePrincipal(c: Context<AuthEnv>): Principal {
  const principal = c.get('principal')
  if (!principal) throw unauthorized()
  return principal
}

export function requireUser(c: Context<AuthEnv>): Extract<Principal, { kind: 'user' }> {
  const principal = requirePrincipal(c)
  if (principal.kind !== 'user') throw new ProblemError({
    status: 403, code: 'forbidden', title: 'This operation needs a signed-in user, not an API key',
  })
  return principal
}

/** What an operation needs: a role for users, a scope for API keys. */
export interface Permission {
  scope: ApiKeyScope
  roles: readonly MembershipRole[]
}

export const READ_AGENTS: Permission = { scope: 'agents:read', roles: ['owner', 'admin', 'member'] }
export const WRITE_AGENTS: Permission = { scope: 'agents:write', roles: ['owner', 'admin', 'member'] }
export const MANAGE_KEYS: Permission = { scope: 'api-keys:write', roles: ['owner', 'admin'] }
export const READ_USAGE: Permission = { scope: 'usage:read', roles: ['owner', 'admin', 'member'] }
/** The scope that manages keys. Only a signed-in owner or admin may grant it (see assertGrantable). */
const KEY_MANAGEMENT_SCOPE = MANAGE_KEYS.scope

/**
 * What a caller may put on a key it creates. Users are bounded by their role (MANAGE_KEYS), and only they may grant
 * `api-keys:write`: a key that could mint another key-managing key would let a leaked key copy itself, and the copies
 * would outlive the leaked key's revocation. An API key may hand out only other scopes, and only ones it holds itself.
 */
export function assertGrantable(principal: Principal, scopes: readonly ApiKeyScope[]): void {
  if (principal.kind !== 'key') return
  if (scopes.includes(KEY_MANAGEMENT_SCOPE)) {
    throw new ProblemError({ status: 403, code: 'grant-needs-user', title: `Only a signed-in owner or admin may grant the "${KEY_MANAGEMENT_SCOPE}" scope`, detail: `an API key cannot create a key that manages keys (a leaked key could copy itself and outlive its revocation); `
        + `leave out "${KEY_MANAGEMENT_SCOPE}", or create the key signed in as an owner or admin`, extensions: { scope: KEY_MANAGEMENT_SCOPE } })
  }
  const missing = scopes.filter((scope) => !principal.scopes.includes(scope))
  if (missing.length) {
    throw new ProblemError({
      status: 403, code: 'insufficient-scope', title: `This API key cannot grant scopes it lacks: ${missing.join(', ')}`,
      detail: 'a key may create keys with a subset of its own scopes; a signed-in owner or admin may grant any',
      extensions: { missingScopes: missing },
    })
  }
}

/**
 * Resolves the tenant a request acts for and checks the caller may do `permission` there. A tenant the
 * caller does not belong to is "not found", never "forbidden": its existence is not revealed.
 */
export async function resolveTenant(c: Context<AuthEnv>, db: Db, permission: Permission): Promise<TenantAccess> {
  const principal = requirePrincipal(c)
  const requested = c.req.header(TENANT_HEADER)?.trim() || null
  if (principal.kind === 'key') {
    if (requested && requested !== principal.tenantId) throw notFoundError('Tenant')
    if (!principal.scopes.includes(permission.scope)) {
      throw new ProblemError({ status: 403, code: 'insufficient-scope', title: `This API key lacks the "${permission.scope}" scope` })
    }
    return { tenantId: principal.tenantId, principal, role: null }
  }
  const mine = await listMembershipsOfUser(db, principal.userId)
  if (!requested && mine.length !== 1) {
    throw new ProblemError({
      status: 400, code: 'tenant-required', title: mine.length === 0 ? 'You belong to no tenant yet' : 'Choose a tenant',
      detail: mine.length === 0 ? 'create one with POST /v1/tenants' : `send the ${TENANT_HEADER} header with one of your tenant ids`,
    })
  }
  const membership = requested ? mine.find((m) => m.tenantId === requested) : mine[0]
  if (!membership) throw notFoundError('Tenant')
  const { tenantId, role } = membership
  if (!permission.roles.includes(role)) throw new ProblemError({ status: 403, code: 'forbidden', title: `Your role "${role}" may not do this` })
  return { tenantId, principal, role }
}
