// Who is calling. A Clerk session JWT (Bearer or `__session` cookie) → `user:<sub>`; an `mi_` API key
// → `key:<id>` with its scopes; nothing → `anonymous` (anonymous-session.ts gives it a session on a public agent). A
// credential that does not verify is refused (401), not downgraded.

import type { MiddlewareHandler } from 'hono'
import { verifyApiKey } from '../auth/api-key.ts'
import { dropCredentials, readCredential } from '../auth/credentials.ts'
import { verifySessionToken } from '../auth/jwt.ts'
import { InternalClient } from '../cluster/internal-client.ts'
import type { EdgeEnv } from '../context.ts'
import { badCredentials, upstreamFailed } from '../problems.ts'
import { RefreshingCache } from '../ttl-cache.ts'
import { USER_TENANTS_FRESH_MS, USER_TENANTS_MAX_AGE_MS } from '../budgets.ts'

/** Exported for the re-check of open WebSockets (auth/access-recheck.ts), which must read the same cache. */
export const userTenants = new RefreshingCache<string, readonly string[]>('user membership', 10_000, {
  freshMs: () => USER_TENANTS_FRESH_MS,
  maxAgeMs: () => USER_TENANTS_MAX_AGE_MS,
})

export const authenticate = (): MiddlewareHandler<EdgeEnv> =>
  async function authenticate(c, next) {
    const credential = readCredential(c.get('forwardHeaders'))
    dropCredentials(c.get('forwardHeaders'))
    if (!credential) {
      c.set('principal', 'anonymous')
      c.set('principalTenants', [])
      c.set('principalScopes', null)
      return next()
    }
    const client = new InternalClient(c.get('config'))
    const background = (refresh: Promise<unknown>) => c.executionCtx.waitUntil(refresh)
    if (credential.kind === 'api-key') {
      const key = await verifyApiKey(credential.key, client, background, c.get('requestId')).catch((error: unknown) => {
        throw upstreamFailed(error)
      })
      if (!key) throw badCredentials()
      c.set('principal', `key:${key.keyId}`)
      c.set('principalTenants', [key.tenantId])
      // Fail closed: a verification without a scope list grants no scope.
      c.set('principalScopes', Array.isArray(key.scopes) ? key.scopes : [])
      return next()
    }
    const userId = await verifySessionToken(credential.token, c.get('config').auth)
    if (!userId) throw badCredentials()
    const requestId = c.get('requestId')
    const tenants = await userTenants.get(userId, async () => (await client.userTenants(userId, requestId)).tenantIds, background)
      .catch((error: unknown) => {
        throw upstreamFailed(error)
      })
    c.set('principal', `user:${userId}`)
    c.set('principalTenants', tenants)
    c.set('principalScopes', null)
    return next()
  }
