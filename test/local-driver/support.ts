// Helpers shared by the local driver's tests and bench/wake.ts: agent specs, edge-signed requests, process checks.
// Not a test file itself; nothing here is a stand-in for one of our components.

import { randomBytes } from 'node:crypto'
import { TENANT_HOST, TENANT_ID, AGENT_ID, PRINCIPAL, PRINCIPAL_ACCESS, REQUEST_ID } from '../../wire/headers.ts'
import { agentSecret, nodeBodyDigest } from '../../wire/node-hmac.ts'
import { NO_BODY, signHeaders, type BodyBinding } from '../../wire/signature.ts'
import type { AgentSpec } from '../../cluster-api/src/drivers/types.ts'

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef0123456789'

export function agentSpec(slug: string, tenantDatabaseUrl: string, overrides: Partial<AgentSpec> = {}): AgentSpec {
  return {
    agentId: `agt_${slug}`,
    slug,
    tenantId: 'ten_test',
    tenantSlug: 'test',
    name: slug,
    persona: { systemPrompt: 'You are a test superfriend.', style: 'brief' },
    model: { provider: 'local', model: 'echo' },
    visibility: 'private',
    tenantDatabaseUrl,
    signingKey: agentSecret(TEST_SIGNING_SECRET, `agt_${slug}`),
    secrets: {},
    ...overrides,
  }
}

/**
 * Headers the edge would send for `slug`: injected identity headers plus a fresh signature under the agent's own key
 * (derived from `secret`, the platform's master secret, as the edge derives it).
 */
export async function edgeHeaders(slug: string, method: string, path: string, secret = TEST_SIGNING_SECRET, extra: Record<string, string> = {}, body?: Uint8Array): Promise<Headers> {
  const headers = new Headers(extra)
  headers.set(TENANT_HOST, slug)
  headers.set(TENANT_ID, 'ten_test')
  headers.set(AGENT_ID, `agt_${slug}`)
  headers.set(PRINCIPAL, 'user:test')
  headers.set(PRINCIPAL_ACCESS, 'member')
  headers.set(REQUEST_ID, randomBytes(8).toString('hex'))
  const binding: BodyBinding = body && body.length > 0 ? { kind: 'digest', digest: nodeBodyDigest(body) } : NO_BODY
  await signHeaders(headers, { method, host: `${slug}.localhost`, path, body: binding }, agentSecret(secret, `agt_${slug}`))
  return headers
}

/** An edge-signed request through the ingress at `baseUrl`; a string or bytes body is bound by its digest. */
export async function signedFetch(baseUrl: string, slug: string, path: string, init: RequestInit = {}, secret = TEST_SIGNING_SECRET): Promise<Response> {
  const method = init.method ?? 'GET'
  const body = typeof init.body === 'string' ? new TextEncoder().encode(init.body) : init.body instanceof Uint8Array ? init.body : undefined
  const headers = await edgeHeaders(slug, method, path, secret, Object.fromEntries(new Headers(init.headers).entries()), body)
  return fetch(baseUrl + path, { ...init, method, headers, ...(body ? { body } : {}) })
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Polls `predicate` every `everyMs` until it holds; throws with `what` after `timeoutMs`. */
export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 45_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await predicate()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
