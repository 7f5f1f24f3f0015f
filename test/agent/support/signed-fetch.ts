// A fetch that behaves like the edge: adds X-Tenant-Host and the other injected headers, then signs them.
// Tests and the official openai client use it to reach a runtime that refuses unsigned requests.
import { nodeBodyDigest } from '../../../wire/node-hmac.ts'
import { NO_BODY, signHeaders, type BodyBinding } from '../../../wire/signature.ts'
import { AGENT_ID, PRINCIPAL, PRINCIPAL_ACCESS, REQUEST_ID, TENANT_HOST, TENANT_ID } from '../../../wire/headers.ts'

export interface EdgeIdentity {
  /** The agent's own signing key (RuntimeConfig.signingKey). */
  secret: string
  slug: string
  tenantId?: string
  agentId?: string
  principal?: string
  /** Default `member`; null sends none. */
  principalAccess?: 'member' | 'guest' | null
  /** Signs with a timestamp this many ms in the past (stale-signature tests). */
  ageMs?: number
}

export async function edgeHeaders(method: string, url: string, identity: EdgeIdentity, base?: HeadersInit, body?: Uint8Array): Promise<Headers> {
  const headers = new Headers(base)
  const u = new URL(url)
  headers.set(TENANT_HOST, identity.slug)
  headers.set(TENANT_ID, identity.tenantId ?? 'tenant-1')
  headers.set(AGENT_ID, identity.agentId ?? 'agent-1')
  headers.set(PRINCIPAL, identity.principal ?? 'user:u1')
  headers.set(REQUEST_ID, crypto.randomUUID())
  if (identity.principalAccess !== null) headers.set(PRINCIPAL_ACCESS, identity.principalAccess ?? 'member')
  const binding: BodyBinding = body && body.length > 0 ? { kind: 'digest', digest: nodeBodyDigest(body) } : NO_BODY
  await signHeaders(headers, { method, host: `${identity.slug}.myintell.ai`, path: u.pathname + u.search, body: binding }, identity.secret, Date.now() - (identity.ageMs ?? 0))
  return headers
}

export function signedFetch(identity: EdgeIdentity): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined
    const headers = await edgeHeaders(request.method, request.url, identity, request.headers, body)
    return fetch(request.url, { method: request.method, headers, body, signal: init?.signal ?? null })
  }) as typeof fetch
}
