// The first message after a sleep is answered, whatever put the superfriend to sleep while the edge still held it warm:
// its runtime killed, an idle-out, a restart of the platform. For a JSON chat, a streaming chat (SSE) and a WebSocket,
// against the real stack started as `npm start` starts it, with the default settings and with a short idle timeout.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { findAgentById } from '../../cluster-api/src/db/queries/agents.ts'
import { startPlatform, type Platform } from '../../scripts/platform.ts'
import { readSse } from '../../cli/src/chat/sse-reader.ts'
import { localFetch } from './support/localhost-fetch.ts'

const START_TIMEOUT_MS = 180_000
/** The local dev model's replies all carry this. */
const LOCAL_REPLY = '[local dev model]'

interface Driver {
  pids(): { agents: Record<string, number[]> }
  status(agentId: string): Promise<{ ready: boolean }>
}

/** The platform's own settings untouched: only the logs are quieter. */
function defaultEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'warn', MYINTELL_ACCESS_LOG: 'off' }
  for (const name of Object.keys(env)) if (name.startsWith('MYINTELL_') && name !== 'MYINTELL_ACCESS_LOG') delete env[name]
  return env
}

function start(dataDir: string, env: Record<string, string | undefined>): Promise<Platform> {
  return startPlatform({ dataDir, edgePort: 0, apiPort: 0, ingressPort: 0, env })
}

const driverOf = (platform: Platform) => platform.clusterApi.driver as unknown as Driver

async function eventually(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function createAgent(platform: Platform, slug: string): Promise<string> {
  const response = await localFetch(`${platform.apiUrl}/v1/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platform.seed.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ slug, name: slug, persona: { systemPrompt: `You are ${slug}.`, style: 'brief' }, model: { provider: 'local', model: 'local-dev' } }),
  })
  expect(response.status).toBe(201)
  return ((await response.json()) as { id: string }).id
}

function post(platform: Platform, slug: string, message: string, accept = 'application/json'): Promise<Response> {
  return localFetch(`${platform.agentUrl(slug)}/v1/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platform.seed.apiKey}`, 'content-type': 'application/json', accept },
    body: JSON.stringify({ message }),
  })
}

/** A JSON chat: answered 200 with a reply. */
async function chatJson(platform: Platform, slug: string): Promise<void> {
  const response = await post(platform, slug, 'hello again')
  const text = await response.text()
  expect(response.status, text).toBe(200)
  expect((JSON.parse(text) as { reply: string }).reply).toContain(LOCAL_REPLY)
}

/** A streaming chat: 200 text/event-stream, from `start` to `done`. */
async function chatSse(platform: Platform, slug: string): Promise<void> {
  const response = await post(platform, slug, 'stream to me', 'text/event-stream')
  if (response.status !== 200) expect(`${response.status} ${await response.text()}`).toBe('200')
  expect(response.headers.get('content-type')).toContain('text/event-stream')
  const kinds: string[] = []
  let reply = ''
  for await (const event of readSse(response.body as unknown as AsyncIterable<Buffer>)) {
    kinds.push(event.event ?? '')
    if (event.event === 'delta') reply += (JSON.parse(event.data) as { text: string }).text
  }
  expect(kinds[0]).toBe('start')
  expect(kinds.at(-1)).toBe('done')
  expect(reply).toContain(LOCAL_REPLY)
}

/** A WebSocket chat through the edge: the upgrade is accepted and one turn is answered to its `done`. */
async function chatWebSocket(platform: Platform, slug: string): Promise<void> {
  const edge = new URL(platform.edgeUrl)
  const socket = new WebSocket(`ws://127.0.0.1:${edge.port}/v1/ws`, {
    headers: { host: `${slug}.localhost:${edge.port}`, authorization: `Bearer ${platform.seed.apiKey}` },
  })
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)))
    })
    const events: Array<{ type: string; text?: string }> = []
    await new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        const event = JSON.parse(String(data)) as { type: string; text?: string }
        events.push(event)
        if (event.type === 'done' || event.type === 'error') resolve()
      })
      socket.send(JSON.stringify({ message: 'over the socket' }))
    })
    expect(events.at(-1)?.type).toBe('done')
    expect(events.filter((e) => e.type === 'delta').map((e) => e.text).join('')).toContain(LOCAL_REPLY)
  } finally {
    socket.close()
  }
}

const CHATS = { 'a JSON chat': chatJson, 'a streaming chat (SSE)': chatSse, 'a WebSocket chat': chatWebSocket } as const
type ChatKind = keyof typeof CHATS

describe('with the default settings (an idle-out takes 5 minutes)', () => {
  let platform: Platform
  const dataDir = mkdtempSync(join(tmpdir(), 'myintell-wake-default-'))
  const agents: Record<ChatKind, { slug: string; id: string }> = {} as never

  beforeAll(async () => {
    platform = await start(dataDir, defaultEnv())
    for (const [i, kind] of (Object.keys(CHATS) as ChatKind[]).entries()) {
      const slug = `sleeper-${i}-${Date.now().toString(36)}`
      agents[kind] = { slug, id: await createAgent(platform, slug) }
    }
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await platform?.close()
    rmSync(dataDir, { recursive: true, force: true })
  }, 60_000)

  it.each(Object.keys(CHATS) as ChatKind[])('answers %s at once after the runtime was killed while the edge held the agent warm', async (kind) => {
    const { slug, id } = agents[kind]
    await CHATS[kind](platform, slug) // wakes it: the edge now holds it warm
    const driver = driverOf(platform)
    const [pid] = driver.pids().agents[id] ?? []
    expect(pid).toBeGreaterThan(0)
    process.kill(pid!, 'SIGKILL')
    // The driver has seen the crash (it restarts the runtime after a backoff): the agent is not there right now.
    await eventually('the driver to see the crash', async () => !(await driver.status(id)).ready)
    await CHATS[kind](platform, slug)
  }, 90_000)

  it('answers a JSON chat, a stream and a WebSocket at once after a restart of the platform: not 404, not 503', async () => {
    for (const kind of Object.keys(CHATS) as ChatKind[]) await CHATS[kind](platform, agents[kind].slug)
    await platform.close()
    platform = await start(dataDir, defaultEnv())
    // At once: the edge's gates still hold each agent warm from before, and the new driver runs none of them.
    for (const kind of Object.keys(CHATS) as ChatKind[]) await CHATS[kind](platform, agents[kind].slug)
  }, START_TIMEOUT_MS + 120_000)
})

describe('with a short idle timeout', () => {
  /** The outside test's setting. */
  const IDLE_TIMEOUT_MS = 5_000
  /**
   * How long after the last chat to come back: past the idle-out, and past the AgentGate's route cache (30 s), so the
   * gate asks the platform what state the agent is in, as after the outside test's 40 s.
   */
  const COME_BACK_AFTER_MS = 32_000
  let platform: Platform
  const dataDir = mkdtempSync(join(tmpdir(), 'myintell-wake-idle-'))

  beforeAll(async () => {
    platform = await start(dataDir, { ...defaultEnv(), MYINTELL_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) })
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await platform?.close()
    rmSync(dataDir, { recursive: true, force: true })
  }, 60_000)

  it('answers the first JSON chat, stream and WebSocket after each agent fell asleep', async () => {
    const kinds = Object.keys(CHATS) as ChatKind[]
    const agents = await Promise.all(kinds.map(async (kind, i) => {
      const slug = `napper-${i}-${Date.now().toString(36)}`
      return { kind, slug, id: await createAgent(platform, slug) }
    }))
    for (const { kind, slug } of agents) await CHATS[kind](platform, slug)
    const lastChat = Date.now()
    const driver = driverOf(platform)
    await eventually('every agent to idle out', () => agents.every(({ id }) => (driver.pids().agents[id] ?? []).length === 0), IDLE_TIMEOUT_MS * 10)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastChat + COME_BACK_AFTER_MS - Date.now())))
    // What the edge's route lookup reads, read straight from the database: a /v1 read would ask the driver and
    // correct a stale record on the way, and nothing may ask about these agents before they are chatted to.
    const stored = await Promise.all(agents.map(async ({ id }) => (await findAgentById(platform.clusterApi.db, id))?.workloadState))
    expect(stored).toEqual(['cold', 'cold', 'cold'])
    for (const { kind, slug } of agents) await CHATS[kind](platform, slug)
  }, 150_000)
})
