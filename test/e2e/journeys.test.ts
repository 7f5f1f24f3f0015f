// The user journeys, end to end, against the real stack started exactly as `npm start` starts it:
// embedded PostgreSQL, cluster-api with the local driver and ingress, the edge Worker in workerd.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlatform, type Platform } from '../../scripts/platform.ts'
import { localFetch } from './support/localhost-fetch.ts'
import { readSse } from '../../cli/src/chat/sse-reader.ts'

/** Short enough that the story can watch a superfriend fall asleep; the platform's default is 5 minutes. */
const IDLE_TIMEOUT_MS = 3_000

let platform: Platform
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'myintell-e2e-'))
  platform = await startPlatform({
    dataDir, edgePort: 0, apiPort: 0, ingressPort: 0,
    env: { ...process.env, MYINTELL_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS), MYINTELL_WARM_POOL_SIZE: '1', LOG_LEVEL: 'warn', MYINTELL_ACCESS_LOG: 'off' },
  })
}, 180_000)

afterAll(async () => {
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

function api(path: string, init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.key) headers.authorization = `Bearer ${init.key}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  return localFetch(`${platform.apiUrl}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? null : JSON.stringify(init.body) })
}

function chat(slug: string, message: string, key: string | null, extra: { conversationId?: string; stream?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (key) headers.authorization = `Bearer ${key}`
  if (extra.stream) headers.accept = 'text/event-stream'
  return localFetch(`${platform.agentUrl(slug)}/v1/chat`, {
    method: 'POST', headers, body: JSON.stringify({ message, ...(extra.conversationId ? { conversationId: extra.conversationId } : {}) }),
  })
}

function agentPids(agentId: string): number[] {
  const driver = platform.clusterApi.driver as unknown as { pids(): { agents: Record<string, number[]> } }
  return driver.pids().agents[agentId] ?? []
}

async function eventually<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== null && value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('a superfriend from creation to sleep and back', () => {
  let agentId: string
  const slug = `ada-${Date.now().toString(36)}`

  it('is created through the API at api.localhost with the dev key', async () => {
    const response = await api('/v1/agents', {
      method: 'POST', key: platform.seed.apiKey,
      body: { slug, name: 'Ada', persona: { systemPrompt: 'You are Ada.', style: 'curious' }, model: { provider: 'local', model: 'local-dev' } },
    })
    expect(response.status).toBe(201)
    const agent = await response.json() as { id: string; slug: string; workloadState: string }
    expect(agent.slug).toBe(slug)
    agentId = agent.id
    expect(agentPids(agentId)).toEqual([])
  })

  it('wakes from zero on the first chat and streams the reply', async () => {
    const response = await chat(slug, 'hello Ada', platform.seed.apiKey, { stream: true })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    expect(Number(response.headers.get('x-myintell-cold-start'))).toBeGreaterThan(0)
    const events = []
    for await (const event of readSse(response.body as unknown as AsyncIterable<Buffer>)) events.push(event)
    const kinds = events.map((e) => e.event)
    expect(kinds[0]).toBe('start')
    expect(kinds.filter((k) => k === 'delta').length).toBeGreaterThan(1)
    expect(kinds.at(-1)).toBe('done')
    const reply = events.filter((e) => e.event === 'delta').map((e) => (JSON.parse(e.data) as { text: string }).text).join('')
    expect(reply).toContain('[local dev model]')
    expect(agentPids(agentId).length).toBe(1)
  })

  it('falls asleep after the idle timeout: zero processes for the agent', async () => {
    await eventually('the agent to have zero processes', () => (agentPids(agentId).length === 0 ? true : null), IDLE_TIMEOUT_MS * 10)
    const status = await api(`/v1/agents/${agentId}`, { key: platform.seed.apiKey })
    expect(((await status.json()) as { workloadState: string }).workloadState).toBe('cold')
  })

  it('wakes again on the next chat and remembers the conversation', async () => {
    const first = await chat(slug, 'remember that my favourite colour is teal', platform.seed.apiKey)
    expect(first.status).toBe(200)
    expect(first.headers.get('x-myintell-cold-start')).not.toBeNull()
    const body = await first.json() as { conversationId: string; reply: string }
    expect(body.reply.length).toBeGreaterThan(0)
    expect(agentPids(agentId).length).toBe(1)
    const again = await chat(slug, 'and again', platform.seed.apiKey, { conversationId: body.conversationId })
    expect(again.status).toBe(200)
    expect(again.headers.get('x-myintell-cold-start')).toBeNull()
    expect(((await again.json()) as { conversationId: string }).conversationId).toBe(body.conversationId)
  })
})

describe('the OpenAI-compatible API through the edge', () => {
  it('gives the official openai client a streamed completion from demo with an API key', async () => {
    const client = new OpenAI({ baseURL: `${platform.agentUrl('demo')}/v1`, apiKey: platform.seed.apiKey, fetch: localFetch, maxRetries: 0 })
    const stream = await client.chat.completions.create({ model: 'local-dev', stream: true, messages: [{ role: 'user', content: 'hi there' }] })
    let text = ''
    let chunks = 0
    for await (const chunk of stream) {
      chunks++
      text += chunk.choices[0]?.delta?.content ?? ''
    }
    expect(chunks).toBeGreaterThan(1)
    expect(text).toContain('[local dev model]')
  })
})

describe('tenants are walled off at the edge', () => {
  let otherKey: string

  beforeAll(async () => {
    const signIn = await api('/v1/dev/sign-in', { method: 'POST', body: { email: 'mallory@example.com' } })
    const { token } = await signIn.json() as { token: string }
    const tenant = await api('/v1/tenants', { method: 'POST', key: token, body: { slug: 'mallory-co', name: 'Mallory Co' } })
    expect(tenant.status).toBe(201)
    const { id } = await tenant.json() as { id: string }
    const key = await api('/v1/api-keys', { method: 'POST', key: token, headers: { 'x-myintell-tenant': id }, body: { name: 'mallory' } })
    expect(key.status).toBe(201)
    otherKey = ((await key.json()) as { key: string }).key
  })

  it("refuses another tenant's API key on a private superfriend", async () => {
    const response = await chat('demo', 'let me in', otherKey)
    expect([403, 404]).toContain(response.status)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
  })

  it('refuses an anonymous caller on a private superfriend', async () => {
    const response = await chat('demo', 'let me in', null)
    expect(response.status).toBe(401)
  })

  it('lets anyone talk to a public superfriend', async () => {
    const slug = `pub-${Date.now().toString(36)}`
    const created = await api('/v1/agents', { method: 'POST', key: platform.seed.apiKey, body: { slug, name: 'Pub', visibility: 'public' } })
    expect(created.status).toBe(201)
    const anonymous = await chat(slug, 'hello, stranger here', null)
    expect(anonymous.status).toBe(200)
    const stranger = await chat(slug, 'hello from another tenant', otherKey)
    expect(stranger.status).toBe(200)
  })
})

describe('usage', () => {
  it('shows the conversation in GET /v1/usage', async () => {
    const today = new Date().toISOString().slice(0, 10)
    const totals = await eventually('usage with requests and tokens', async () => {
      const response = await api(`/v1/usage?agentId=${platform.seed.agentId}`, { key: platform.seed.apiKey })
      expect(response.status).toBe(200)
      const usage = await response.json() as { days: Array<{ day: string; requests: number; tokensOut: number; wakes: number }> }
      const day = usage.days.find((d) => d.day.startsWith(today))
      return day && day.requests > 0 && day.tokensOut > 0 && day.wakes > 0 ? day : null
    }, 30_000)
    expect(totals.requests).toBeGreaterThan(0)
  })
})
