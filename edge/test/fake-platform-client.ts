// Drives the fake cluster-api and origin (test/edge/support/fake-platform.ts) from inside workerd, over HTTP.

import { env } from 'cloudflare:workers'
import type { IngestBatch, RouteInfo } from '../../wire/internal-api.ts'
import type { Env } from '../src/env.ts'

export const testEnv = env as unknown as Env & Required<Pick<Env, 'CLUSTER_API_URL' | 'ORIGIN_URL' | 'EDGE_SIGNING_SECRET'>>

export interface FakeAgent {
  slug: string
  agentId: string
  tenantId: string
  visibility: 'private' | 'public'
  running: boolean
  wakeDelayMs: number | null
  wakeCalls: number
  statusCalls: number
  served: number
  staleIngress: number
}

let counter = 0
/** A slug no other test uses: tests share the fake platform, so names keep them apart. */
export function uniqueSlug(prefix: string): string {
  counter += 1
  return `${prefix}-${Date.now().toString(36)}-${counter}`
}

async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(path, testEnv.CLUSTER_API_URL), {
    method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  })
  if (!response.ok) throw new Error(`fake control ${path}: ${response.status}`)
  return (response.status === 204 ? null : await response.json()) as T
}

export const fake = {
  addAgent: (agent: Partial<FakeAgent> & { slug: string }) => control<FakeAgent>('POST', '/__fake/agents', agent),
  agent: (agentId: string) => control<FakeAgent>('GET', `/__fake/agents/${agentId}`),
  updateAgent: (agentId: string, patch: Partial<Pick<FakeAgent, 'visibility' | 'tenantId'>>) => control<FakeAgent>('PATCH', `/__fake/agents/${agentId}`, patch),
  markReady: (agentId: string) => control<null>('POST', `/__fake/agents/${agentId}/ready`),
  /** The agent stops behind the edge's back: the next request meets "no endpoints". */
  sleep: (agentId: string) => control<null>('POST', `/__fake/agents/${agentId}/sleep`),
  /** The origin answers "no endpoints" `count` more times although the agent runs (an ingress that lags the driver). */
  staleIngress: (agentId: string, count: number) => control<null>('POST', `/__fake/agents/${agentId}/stale-ingress`, { count }),
  addKey: async (tenantId: string) => (await control<{ key: string }>('POST', '/__fake/keys', { tenantId })).key,
  userToken: async (userId: string, tenantIds: string[]) => (await control<{ token: string }>('POST', '/__fake/users', { userId, tenantIds })).token,
  /** A session token for `userId` signed with the fake's JWKS key, with claims set, dropped (null) or defaulted. */
  sessionToken: async (userId: string, tenantIds: string[], claims: { exp?: number | null; iat?: number | null; iss?: string; aud?: string | null }) =>
    (await control<{ token: string }>('POST', '/__fake/session-tokens', { userId, tenantIds, claims })).token,
  ingest: () => control<{ batches: IngestBatch[]; attempts: string[] }>('GET', '/__fake/ingest'),
  failIngest: (count: number) => control<null>('POST', '/__fake/ingest-failures', { count }),
  /** The next `count` route lookups of `slug` never answer. */
  hangRouteLookups: (slug: string, count: number) => control<null>('POST', '/__fake/hang-route-lookups', { slug, count }),
  /** The next `count` verifications of `key` are refused with 401 invalid-edge-signature (not "unknown key"). */
  refuseKeyVerifications: (key: string, count: number) => control<null>('POST', '/__fake/refuse-key-verifications', { key, count }),
}

export function routeOf(agent: FakeAgent): RouteInfo {
  return { slug: agent.slug, agentId: agent.agentId, tenantId: agent.tenantId, visibility: agent.visibility, state: agent.running ? 'ready' : 'cold' }
}

export function gateStub(slug: string) {
  return testEnv.AGENT_GATE.get(testEnv.AGENT_GATE.idFromName(slug))
}
