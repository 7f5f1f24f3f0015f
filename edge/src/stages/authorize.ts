// Stage 6: may this principal talk to this agent? Yes when the agent is public, or when the principal acts
// for the agent's tenant. Anonymous callers of a private agent get 401, callers from another tenant 403.

import type { MiddlewareHandler } from 'hono'
import type { EdgeEnv } from '../context.ts'
import { forbidden, unauthenticated } from '../problems.ts'

export const authorize = (): MiddlewareHandler<EdgeEnv> =>
  async function authorize(c, next) {
    const { route, principal, principalTenants } = c.var
    if (route.visibility !== 'public') {
      if (principal === 'anonymous') throw unauthenticated()
      if (!principalTenants.includes(route.tenantId)) throw forbidden()
    }
    await next()
  }
