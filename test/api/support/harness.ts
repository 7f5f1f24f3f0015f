// Test harness: a real cluster-api on its own fresh database of the run's embedded PostgreSQL,
// plus helpers to sign in, call /v1 and make edge-signed internal calls.

import { pino } from 'pino'
import { createTestDatabase } from '../../support/db.ts'
import { startClusterApi, type ClusterApi, type ClusterApiOptions } from '../../../cluster-api/src/server.ts'
import { edgeSecret, nodeBodyDigest } from '../../../wire/node-hmac.ts'
import { NO_BODY, signHeaders } from '../../../wire/signature.ts'

export const TEST_SIGNING_SECRET = 'test-edge-signing-secret-0123456789abcdef'
export const EDGE_HOST = 'api.myintell.ai'
/** The edge's own key, derived from the master secret: the only key the internal API accepts. */
export const TEST_EDGE_KEY = edgeSecret(TEST_SIGNING_SECRET)

export type TestApi = ClusterApi & {
  v1(method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<Response>
  /** An internal call signed with `secret` (default the edge's own key), its JSON body bound by digest. */
  internal(method: string, path: string, body?: unknown, options?: { secret?: string; now?: number; headers?: Record<string, string> }): Promise<Response>
  signIn(email: string): Promise<{ token: string; userId: string }>
}

export async function startTestApi(options: Partial<ClusterApiOptions> = {}): Promise<TestApi> {
  const api = await startClusterApi({
    databaseUrl: await createTestDatabase('api'),
    signingSecret: TEST_SIGNING_SECRET,
    logger: pino({ level: 'silent' }),
    ...options,
  })
  const v1: TestApi['v1'] = (method, path, o = {}) => {
    const headers = new Headers(o.headers)
    if (o.token) headers.set('authorization', `Bearer ${o.token}`)
    let body: string | undefined = o.rawBody
    if (o.body !== undefined) {
      body = JSON.stringify(o.body)
      if (!headers.has('content-type')) headers.set('content-type', 'application/json')
    }
    return fetch(`${api.url}${path}`, { method, headers, body })
  }
  const internal: TestApi['internal'] = async (method, path, body, o = {}) => {
    const headers = new Headers(o.headers)
    const bytes = body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(body))
    if (bytes) headers.set('content-type', 'application/json')
    const binding = bytes ? { kind: 'digest' as const, digest: nodeBodyDigest(bytes) } : NO_BODY
    await signHeaders(headers, { method, host: EDGE_HOST, path, body: binding }, o.secret ?? TEST_EDGE_KEY, o.now ?? Date.now())
    return fetch(`${api.url}${path}`, { method, headers, ...(bytes ? { body: bytes } : {}) })
  }
  const signIn: TestApi['signIn'] = async (email) => {
    const response = await v1('POST', '/v1/dev/sign-in', { body: { email } })
    if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`)
    return (await response.json()) as { token: string; userId: string }
  }
  return Object.assign(api, { v1, internal, signIn })
}

/** Signs in a fresh user, creates a tenant it owns and returns both. */
export async function createOwner(api: TestApi, name: string): Promise<{ token: string; userId: string; tenantId: string }> {
  const { token, userId } = await api.signIn(`${name}@example.test`)
  const response = await api.v1('POST', '/v1/tenants', { token, body: { slug: `${name}-tenant`, name } })
  if (response.status !== 201) throw new Error(`create tenant failed: ${response.status} ${await response.text()}`)
  const tenant = (await response.json()) as { id: string }
  return { token, userId, tenantId: tenant.id }
}

export async function createTestAgent(api: TestApi, token: string, slug: string, extra: Record<string, unknown> = {}): Promise<{ id: string; tenantId: string; slug: string }> {
  const response = await api.v1('POST', '/v1/agents', { token, body: { slug, name: slug, ...extra } })
  if (response.status !== 201) throw new Error(`create agent failed: ${response.status} ${await response.text()}`)
  return (await response.json()) as { id: string; tenantId: string; slug: string }
}
