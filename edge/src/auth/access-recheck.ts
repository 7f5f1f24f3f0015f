// Asks again, for an open WebSocket, whether the credential that opened it still holds: the API key is not
// revoked (and keeps the chat scope), the user is still a member of the agent's tenant where that is what let
// them in. Through the same isolate caches as a new request (auth/api-key.ts, authenticate's memberships), so a
// revocation closes a socket within the caches' bound, the same bound within which a new request is refused.

import type { Principal, PrincipalAccess } from '../../../wire/headers.ts'
import { CHAT_SCOPE, type RouteInfo } from '../../../wire/internal-api.ts'
import { InternalClient } from '../cluster/internal-client.ts'
import type { EdgeConfig } from '../config.ts'
import type { EdgeContext } from '../context.ts'
import type { AccessVerdict } from '../forward/websocket-relay.ts'
import { userTenants } from '../stages/authenticate.ts'
import { verifyApiKey } from './api-key.ts'
import { readCredential } from './credentials.ts'

/** RFC 6455 1008: the endpoint's policy no longer allows this connection. */
export const POLICY_VIOLATION = 1008
const OK: AccessVerdict = { ok: true }

export interface OpenedWith {
  principal: Principal
  /** The API key, for a `key:` principal (the edge consumed it from the request, so it is read back here). */
  apiKey: string | null
  route: RouteInfo
  access: PrincipalAccess
}

export type Background = (work: Promise<unknown>) => void

/** The re-check for a socket opened with `opened`; null when there is nothing to re-check (an anonymous caller). */
export function accessRecheckFor(opened: OpenedWith, config: Pick<EdgeConfig, 'clusterApiUrl' | 'edgeKey'>, background: Background):
  (() => Promise<AccessVerdict>) | null {
  const client = new InternalClient(config)
  const { principal, route } = opened
  if (principal.startsWith('key:') && opened.apiKey) {
    const key = opened.apiKey
    return async () => {
      const verified = await verifyApiKey(key, client, background)
      if (!verified) return { ok: false, code: POLICY_VIOLATION, reason: 'API key revoked' }
      if (!Array.isArray(verified.scopes) || !verified.scopes.includes(CHAT_SCOPE)) {
        return { ok: false, code: POLICY_VIOLATION, reason: 'API key lost the chat scope' }
      }
      return OK
    }
  }
  if (principal.startsWith('user:')) {
    const userId = principal.slice('user:'.length)
    // A guest of a public agent was let in without a membership: losing one changes nothing for them.
    if (route.visibility === 'public' && opened.access === 'guest') return null
    return async () => {
      const tenants = await userTenants.get(userId, async () => (await client.userTenants(userId)).tenantIds, background)
      return tenants.includes(route.tenantId) ? OK : { ok: false, code: POLICY_VIOLATION, reason: 'no longer a member of this superfriend\'s account' }
    }
  }
  return null
}

/** The re-check for the WebSocket the request in `c` is opening. */
export function accessRecheck(c: EdgeContext): (() => Promise<AccessVerdict>) | undefined {
  const credential = readCredential(c.req.raw.headers)
  const background: Background = (work) => c.executionCtx.waitUntil(work)
  return accessRecheckFor({
    principal: c.get('principal'),
    apiKey: credential?.kind === 'api-key' ? credential.key : null,
    route: c.get('route'),
    access: c.get('principalAccess'),
  }, c.get('config'), background) ?? undefined
}
