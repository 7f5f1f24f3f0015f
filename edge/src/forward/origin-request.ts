// One request to the origin (Traefik / the local ingress) for one agent: the client's own method, headers
// and streamed body, plus the injected X-Tenant-Host/X-Tenant-Id/X-Agent-Id/X-Principal/X-Request-Id and
// the edge signature over them.

import { AGENT_ID, NO_ENDPOINTS, PRINCIPAL, REQUEST_ID, TENANT_HOST, TENANT_ID } from '../../../wire/headers.ts'
import { signHeaders } from '../../../wire/signature.ts'
import type { EdgeContext } from '../context.ts'

export async function sendToOrigin(c: EdgeContext): Promise<Response> {
  const { route, config, principal, requestId } = c.var
  const url = new URL(c.req.url)
  const path = url.pathname + url.search
  const headers = new Headers(c.var.forwardHeaders)
  headers.set(TENANT_HOST, route.slug)
  headers.set(TENANT_ID, route.tenantId)
  headers.set(AGENT_ID, route.agentId)
  headers.set(PRINCIPAL, principal)
  headers.set(REQUEST_ID, requestId)
  await signHeaders(headers, { method: c.req.method, host: url.hostname, path }, config.signingSecret)
  return fetch(new URL(path, config.originUrl), {
    method: c.req.method, headers, body: c.req.raw.body, redirect: 'manual',
  })
}

/** The ingress's marked answer meaning "this agent has no running endpoint". */
export function isNoEndpoints(response: Response): boolean {
  return (response.status === 502 || response.status === 503) && response.headers.has(NO_ENDPOINTS)
}
