// First run of `npm start`: a dev tenant, the demo superfriend `demo` and an API key, made through the public
// /v1 API like any user would. The key is printed once and kept in .data/dev-api-key (0600); later runs reuse it.

import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'

export const DEV_EMAIL = 'dev@myintell.localhost'
export const DEMO_SLUG = 'demo'
export const DEV_TENANT_SLUG = 'local-dev'
export const DEV_KEY_FILE = 'dev-api-key'
const SEED_FILE = 'dev-seed.json'
/** The dev key may do everything a tenant owner may, so scripts and the CLI can use it for the whole API. */
export const DEV_KEY_SCOPES = ['agents:read', 'agents:write', 'api-keys:write', 'usage:read', 'chat']

export interface DevSeed {
  tenantId: string
  agentId: string
  slug: string
  apiKey: string
  /** True when this run created the data (the key is then shown once). */
  created: boolean
}

interface CallOptions {
  method?: string
  token: string
  /** Tenant to act for (x-myintell-tenant), for a user session. */
  tenantId?: string
  body?: unknown
}

async function call<T>(base: string, path: string, init: CallOptions): Promise<T> {
  const method = init.method ?? 'GET'
  const headers: Record<string, string> = {}
  if (init.token) headers.authorization = `Bearer ${init.token}`
  if (init.tenantId) headers['x-myintell-tenant'] = init.tenantId
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`${base}${path}`, { method, headers, body: init.body === undefined ? null : JSON.stringify(init.body) })
  const text = await response.text()
  if (!response.ok) throw new Error(`seeding the dev data failed: ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`)
  return JSON.parse(text) as T
}

async function keyStillWorks(base: string, seed: DevSeed): Promise<boolean> {
  const response = await fetch(`${base}/v1/agents/${encodeURIComponent(seed.agentId)}`, { headers: { authorization: `Bearer ${seed.apiKey}` } })
  await response.body?.cancel()
  return response.ok
}

function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 })
  chmodSync(file, 0o600)
}

export async function seedDevData(options: { clusterApiUrl: string; dataDir: string }): Promise<DevSeed> {
  const base = options.clusterApiUrl
  const seedFile = join(options.dataDir, SEED_FILE)
  const keyFile = join(options.dataDir, DEV_KEY_FILE)
  if (existsSync(seedFile) && existsSync(keyFile)) {
    const saved = JSON.parse(readFileSync(seedFile, 'utf8')) as Omit<DevSeed, 'apiKey' | 'created'>
    const seed: DevSeed = { ...saved, apiKey: readFileSync(keyFile, 'utf8').trim(), created: false }
    if (await keyStillWorks(base, seed)) return seed
  }

  const { token } = await call<{ token: string }>(base, '/v1/dev/sign-in', { method: 'POST', token: '', body: { email: DEV_EMAIL } })
  const tenants = await call<{ items: Array<{ id: string; slug: string }> }>(base, '/v1/tenants', { token })
  const tenant = tenants.items.find((t) => t.slug === DEV_TENANT_SLUG)
    ?? await call<{ id: string }>(base, '/v1/tenants', { method: 'POST', token, body: { slug: DEV_TENANT_SLUG, name: 'Dev tenant' } })
  const tenantId = tenant.id
  const agents = await call<{ items: Array<{ id: string; slug: string }> }>(base, '/v1/agents?limit=100', { token, tenantId })
  const agent = agents.items.find((a) => a.slug === DEMO_SLUG) ?? await call<{ id: string }>(base, '/v1/agents', {
    method: 'POST', token, tenantId,
    body: {
      slug: DEMO_SLUG,
      name: 'Demo',
      persona: { systemPrompt: 'You are Demo, a friendly superfriend running on a local myintell.ai platform.', style: 'warm and brief' },
      model: { provider: 'local', model: 'local-dev' },
      visibility: 'private',
    },
  })
  const key = await call<{ key: string }>(base, '/v1/api-keys', { method: 'POST', token, tenantId, body: { name: 'dev (npm start)', scopes: DEV_KEY_SCOPES } })
  writeSecret(keyFile, `${key.key}\n`)
  writeSecret(seedFile, `${JSON.stringify({ tenantId, agentId: agent.id, slug: DEMO_SLUG }, null, 2)}\n`)
  return { tenantId, agentId: agent.id, slug: DEMO_SLUG, apiKey: key.key, created: true }
}
