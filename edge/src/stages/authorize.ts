// May this principal talk to this agent? Yes when the agent is public, or when the principal acts
// for the agent's tenant; and an API key must also carry the chat scope. Anonymous callers of a private agent
// get 401, callers from another tenant 403, a key without the scope 403 `insufficient-scope`. Nothing here
// wakes, forwards or counts: a refused request ends before the rate limit and the gate.

import type { MiddlewareHandler } from 'hono'
import { CHAT_SCOPE } from '../../../wire/internal-api.ts'
import type { EdgeEnv } from '../context.ts'
import { forbidden, insufficientScope, unauthenticated } from '../problems.ts'

export const authorize = (): MiddlewareHandler<EdgeEnv> =>
  async function authorize(c, next) {
    const route = c.get('route')
    const principal = c.get('principal')
    const principalTenants = c.get('principalTenants')
    const principalScopes = c.get('principalScopes')
    if (route.visibility !== 'public') {
      if (principal === 'anonymous') throw unauthenticated()
      if (!principalTenants.includes(route.tenantId)) throw forbidden()
    }
    // Also on a public agent: a key's scopes say what that key may be used for, whoever's agent it calls.
    if (principalScopes && !principalScopes.includes(CHAT_SCOPE)) throw insufficientScope(CHAT_SCOPE)
    // What the agent may show this caller: everything of the agent (a member), or only the caller's own (a guest).
    c.set('principalAccess', principalTenants.includes(route.tenantId) ? 'member' : 'guest')
    await next()
  }
