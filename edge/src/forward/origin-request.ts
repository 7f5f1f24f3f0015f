// One request to the origin (Traefik / the local ingress) for one agent: the client's own method, headers
// and streamed body, plus the injected X-Tenant-Host/X-Tenant-Id/X-Agent-Id/X-Principal/X-Request-Id and
// the edge signature over them.

import { AGENT_ID, NO_ENDPOINTS, PRINCIPAL, PRINCIPAL_ACCESS, REQUEST_ID, TENANT_HOST, TENANT_ID } from '../../../wire/headers.ts'
import { NO_BODY, signHeaders, STREAMED_BODY } from '../../../wire/signature.ts'
import type { EdgeContext } from '../context.ts'

export async function sendToOrigin(c: EdgeContext): Promise<Response> {
  // c.get, not c.var: Hono builds a fresh object for every c.var read.
  const route = c.get('route')
  const config = c.get('config')
  const url = new URL(c.req.url)
  const path = url.pathname + url.search
  // The request's own copy (stage 2 made it): setting and signing again on a second attempt is idempotent.
  const headers = c.get('forwardHeaders')
  headers.set(TENANT_HOST, route.slug)
  headers.set(TENANT_ID, route.tenantId)
  headers.set(AGENT_ID, route.agentId)
  headers.set(PRINCIPAL, c.get('principal'))
  headers.set(PRINCIPAL_ACCESS, c.get('principalAccess'))
  headers.set(REQUEST_ID, c.get('requestId'))
  const body = c.req.raw.body === null ? NO_BODY : STREAMED_BODY
  await signHeaders(headers, { method: c.req.method, host: url.hostname, path, body }, config.agentKeys.for(route.agentId))
  // The origin URL carries no path of its own: its origin plus the request's path is new URL(path, origin).
  return fetch(config.originUrl.origin + path, {
    method: c.req.method, headers, body: c.req.raw.body, redirect: 'manual',
  })
}

/** The ingress's marked answer meaning "this agent has no running endpoint". */
export function isNoEndpoints(response: Response): boolean {
  return (response.status === 502 || response.status === 503) && response.headers.has(NO_ENDPOINTS)
}
