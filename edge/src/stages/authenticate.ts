// Stage 5: who is calling. A Clerk session JWT (Bearer or `__session` cookie) → `user:<sub>`; an `mi_` API key
// → `key:<id>` with its scopes; nothing → `anonymous`. A credential that does not verify is refused (401), not
// downgraded.

import type { MiddlewareHandler } from 'hono'
import { verifyApiKey } from '../auth/api-key.ts'
import { dropCredentials, readCredential } from '../auth/credentials.ts'
import { verifySessionToken } from '../auth/jwt.ts'
import { InternalClient } from '../cluster/internal-client.ts'
import type { EdgeEnv } from '../context.ts'
import { badCredentials, upstreamFailed } from '../problems.ts'
import { SingleFlight, TtlCache } from '../ttl-cache.ts'

/** A user's tenant memberships are re-read after this long. */
export const USER_TENANTS_TTL_MS = 30_000
const userTenants = new TtlCache<string, readonly string[]>(10_000)
const tenantLookups = new SingleFlight<string, readonly string[]>()

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
    if (credential.kind === 'api-key') {
      const key = await verifyApiKey(credential.key, client, c.get('requestId')).catch((error: unknown) => {
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
    let tenants = userTenants.get(userId)
    if (!tenants) {
      tenants = await tenantLookups.run(userId, async () => {
        const result = (await client.userTenants(userId, c.get('requestId'))).tenantIds
        userTenants.set(userId, result, USER_TENANTS_TTL_MS)
        return result
      }).catch((error: unknown) => {
        throw upstreamFailed(error)
      })
    }
    c.set('principal', `user:${userId}`)
    c.set('principalTenants', tenants)
    c.set('principalScopes', null)
    return next()
  }
