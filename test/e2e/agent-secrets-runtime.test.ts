// Agent secrets reach the runtime that serves the agent, and only it: the whole platform as `npm start` runs it
// (embedded PostgreSQL, cluster-api with the local driver, the edge Worker), real runtimes, and an OpenAI-compatible
// double that records which key each model call carried. A secret changed while the agent is awake reaches the
// running runtime for its next turn, without a restart.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlatform, type Platform } from '../../scripts/platform.ts'
import { startFakeOpenAi, type FakeProvider } from '../fakes/openai-api.ts'
import { localFetch } from './support/localhost-fetch.ts'

let platform: Platform
let fake: FakeProvider
let dataDir: string

beforeAll(async () => {
  // Any key is accepted: the test reads which one each call brought.
  fake = await startFakeOpenAi({ apiKey: null })
  dataDir = mkdtempSync(join(tmpdir(), 'myintell-secrets-e2e-'))
  platform = await startPlatform({
    dataDir, edgePort: 0, apiPort: 0, ingressPort: 0,
    env: { ...process.env, MYINTELL_WARM_POOL_SIZE: '1', LOG_LEVEL: 'warn', MYINTELL_ACCESS_LOG: 'off', OPENAI_API_KEY: 'sk-platform-default' },
  })
}, 180_000)

afterAll(async () => {
  await platform?.close()
  await fake?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

async function api<T>(path: string, init: { method?: string; token: string; tenantId?: string; body?: unknown }): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.token}` }
  if (init.tenantId) headers['x-myintell-tenant'] = init.tenantId
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const response = await localFetch(`${platform.apiUrl}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? null : JSON.stringify(init.body) })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T }
}

async function chat(slug: string, key: string, message: string): Promise<{ status: number; reply: string }> {
  const response = await localFetch(`${platform.agentUrl(slug)}/v1/chat`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ message }),
  })
  const body = (await response.json()) as { reply?: string }
  return { status: response.status, reply: body.reply ?? '' }
}

/** The authorization each model call carried, by the message it asked about. */
function keyOfCallAbout(text: string): string | undefined {
  const call = fake.requests.filter((req) => JSON.stringify(req.body).includes(text)).at(-1)
  return call?.headers.authorization as string | undefined
}

/** A fresh tenant with an owner's token and an API key that may chat and manage agents. */
async function newTenant(name: string): Promise<{ token: string; tenantId: string; key: string }> {
  const signIn = await localFetch(`${platform.apiUrl}/v1/dev/sign-in`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `${name}@example.test` }),
  })
  const { token } = (await signIn.json()) as { token: string }
  const tenant = await api<{ id: string }>('/v1/tenants', { method: 'POST', token, body: { slug: `${name}-t`, name } })
  expect(tenant.status).toBe(201)
  const key = await api<{ key: string }>('/v1/api-keys', { method: 'POST', token, tenantId: tenant.body.id, body: { name: 'e2e', scopes: ['chat', 'agents:read', 'agents:write'] } })
  expect(key.status).toBe(201)
  return { token, tenantId: tenant.body.id, key: key.body.key }
}

async function agentWithKey(owner: { key: string }, slug: string, secrets: Record<string, string>): Promise<string> {
  const created = await api<{ id: string }>('/v1/agents', {
    method: 'POST', token: owner.key, body: { slug, name: slug, model: { provider: 'openai-compatible', model: 'fake-model' } },
  })
  expect(created.status).toBe(201)
  for (const [name, value] of Object.entries(secrets)) {
    expect((await api(`/v1/agents/${created.body.id}/secrets/${name}`, { method: 'PUT', token: owner.key, body: { value } })).status).toBe(201)
  }
  return created.body.id
}

describe('agent secrets in the runtime', () => {
  const run = Date.now().toString(36)
  let a: { token: string; tenantId: string; key: string }
  let b: { token: string; tenantId: string; key: string }
  let agentA: string

  it('uses the agent\'s own model key and base URL, over the platform default', { timeout: 120_000 }, async () => {
    a = await newTenant(`sec-a-${run}`)
    agentA = await agentWithKey(a, `sec-a-${run}`, { OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_API_KEY: 'sk-tenant-a-first' })
    const first = await chat(`sec-a-${run}`, a.key, 'question one from tenant A')
    expect(first.status).toBe(200)
    expect(first.reply).toContain('Fake GPT heard')
    expect(keyOfCallAbout('question one from tenant A')).toBe('Bearer sk-tenant-a-first')
  })

  it('gives a running runtime a changed secret for its next turn, without a restart', { timeout: 120_000 }, async () => {
    const driver = platform.clusterApi.driver as unknown as { pids(): { agents: Record<string, number[]> } }
    const pidsBefore = driver.pids().agents[agentA]
    expect(pidsBefore?.length).toBe(1)
    const replaced = await api(`/v1/agents/${agentA}/secrets/OPENAI_API_KEY`, { method: 'PUT', token: a.key, body: { value: 'sk-tenant-a-second' } })
    expect(replaced.status).toBe(200)
    expect((await chat(`sec-a-${run}`, a.key, 'question two from tenant A')).status).toBe(200)
    expect(keyOfCallAbout('question two from tenant A')).toBe('Bearer sk-tenant-a-second')
    expect(driver.pids().agents[agentA]).toEqual(pidsBefore)
  })

  it('never gives one tenant\'s key to another tenant\'s agent', { timeout: 120_000 }, async () => {
    b = await newTenant(`sec-b-${run}`)
    await agentWithKey(b, `sec-b-${run}`, { OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_API_KEY: 'sk-tenant-b' })
    // An agent of B with no key of its own gets the platform's default, never A's.
    await agentWithKey(b, `sec-b2-${run}`, { OPENAI_BASE_URL: `${fake.url}/v1` })
    expect((await chat(`sec-b-${run}`, b.key, 'question from tenant B')).status).toBe(200)
    expect((await chat(`sec-b2-${run}`, b.key, 'question from the second agent of B')).status).toBe(200)
    expect(keyOfCallAbout('question from tenant B')).toBe('Bearer sk-tenant-b')
    expect(keyOfCallAbout('question from the second agent of B')).toBe('Bearer sk-platform-default')
    for (const req of fake.requests) {
      const text = JSON.stringify(req.body)
      if (text.includes('tenant B') || text.includes('agent of B')) expect(String(req.headers.authorization)).not.toContain('sk-tenant-a')
      if (text.includes('tenant A')) expect(String(req.headers.authorization)).not.toContain('sk-tenant-b')
    }
    // And B's key cannot read or change A's secrets.
    expect((await api(`/v1/agents/${agentA}/secrets`, { token: b.key })).status).toBe(404)
    expect((await api(`/v1/agents/${agentA}/secrets/OPENAI_API_KEY`, { method: 'PUT', token: b.key, body: { value: 'stolen' } })).status).toBe(404)
  })
})
