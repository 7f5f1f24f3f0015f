// Header names of the wire contract between the edge, the cluster-api and the agent runtime.
// The edge deletes every client-sent copy of these, then sets and signs its own.

export const TENANT_HOST = 'x-tenant-host'
export const TENANT_ID = 'x-tenant-id'
export const AGENT_ID = 'x-agent-id'
export const PRINCIPAL = 'x-principal'
/**
 * What the principal is to the agent's tenant: `member` (it acts for the tenant that owns the agent) or `guest`
 * (a caller of a public agent from outside: anonymous, another tenant's key or user). Signed like X-Principal.
 */
export const PRINCIPAL_ACCESS = 'x-principal-access'
export const REQUEST_ID = 'x-request-id'
export const FORWARDED_HOST = 'x-forwarded-host'
export const EDGE_TIMESTAMP = 'x-edge-timestamp'
export const EDGE_SIGNATURE = 'x-edge-signature'
/** A fresh random value per signed request: a verifier refuses a nonce it has seen within the signature window. */
export const EDGE_NONCE = 'x-edge-nonce'
/** How the signature binds the body: `none`, `sha256=<base64url digest>` or `stream` (bound by the nonce only). */
export const EDGE_BODY = 'x-edge-body'
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

/**
 * Who the edge authenticated: `user:<id>` (a session), `key:<id>` (an API key), `anon:<session id>` (an anonymous
 * caller of a public agent, kept apart by a cookie the edge issues) or `anonymous` (no caller identity at all).
 */
export type Principal = `user:${string}` | `key:${string}` | `anon:${string}` | 'anonymous'

export type PrincipalAccess = 'member' | 'guest'
