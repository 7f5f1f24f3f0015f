// Header names of the wire contract between the edge, the cluster-api and the agent runtime.
// The edge deletes every client-sent copy of these, then sets and signs its own.

export const TENANT_HOST = 'x-tenant-host'
export const TENANT_ID = 'x-tenant-id'
export const AGENT_ID = 'x-agent-id'
export const PRINCIPAL = 'x-principal'
export const REQUEST_ID = 'x-request-id'
export const FORWARDED_HOST = 'x-forwarded-host'
export const EDGE_TIMESTAMP = 'x-edge-timestamp'
export const EDGE_SIGNATURE = 'x-edge-signature'
/** Set on a response that waited for a wake: milliseconds from the first held request to readiness. */
export const COLD_START = 'x-myintell-cold-start'
/** Set by an ingress (Traefik middleware or the local ingress) on a 502/503 that means "no endpoints". */
export const NO_ENDPOINTS = 'x-myintell-no-endpoints'

/** Prefixes no client may send: anything starting with these is deleted at the edge. */
export const INTERNAL_HEADER_PREFIXES = ['x-tenant-', 'x-agent-', 'x-edge-', 'x-principal'] as const

/** Headers the edge overwrites on every forwarded request, so a client copy is also dropped. */
export const EDGE_OWNED_HEADERS = [FORWARDED_HOST, REQUEST_ID] as const

export function isInternalHeader(name: string): boolean {
  const lower = name.toLowerCase()
  return INTERNAL_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))
}

/** Deletes every internal header (and the edge-owned ones) from `headers` in place. */
export function stripInternalHeaders(headers: Headers): void {
  const doomed: string[] = []
  headers.forEach((_value, name) => {
    if (isInternalHeader(name)) doomed.push(name)
  })
  for (const name of doomed) headers.delete(name)
  for (const name of EDGE_OWNED_HEADERS) headers.delete(name)
}

/** `user:<id>`, `key:<id>` or `anonymous`: who the edge authenticated. */
export type Principal = `user:${string}` | `key:${string}` | 'anonymous'
