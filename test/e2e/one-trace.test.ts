// One trace across the three parts: a chat through the real edge (workerd) to a sleeping superfriend, which the gate
// wakes through the real cluster-api (local driver, a real runtime process), yields spans at the OTLP receiver double
// from the edge, the cluster-api and the runtime, all in the trace the caller's `traceparent` named, each span's
// parent a span of that trace (the caller's own span at the top). Without an endpoint the same chat works.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlatform, type Platform } from '../../scripts/platform.ts'
import { COLD_START } from '../../wire/headers.ts'
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../fakes/otlp-receiver.ts'
import { localFetch } from './support/localhost-fetch.ts'

const START_TIMEOUT_MS = 180_000
const SERVICES = ['myintell-edge', 'myintell-cluster-api', 'myintell-agent']
const SERVER = 2
const CLIENT = 3

function platformEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'warn', MYINTELL_ACCESS_LOG: 'off', ...extra }
  for (const name of Object.keys(env)) if (name.startsWith('OTEL_') && !(name in extra)) delete env[name]
  return env
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

function chat(platform: Platform, slug: string, headers: Record<string, string> = {}): Promise<Response> {
  return localFetch(`${platform.agentUrl(slug)}/v1/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platform.seed.apiKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ message: 'hello, are you awake?' }),
  })
}

const hex = (bytes: number) => [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')

async function eventually(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The span of `trace` named `name` from `service`; fails the test when there is not exactly one. */
function only(spans: ReceivedSpan[], service: string, name: string): ReceivedSpan {
  const found = spans.filter((s) => s.service === service && s.name === name)
  expect(found.map((s) => `${s.service} ${s.name}`), `one "${name}" span from ${service}`).toEqual([`${service} ${name}`])
  return found[0]!
}

describe('traces with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let otlp: OtlpReceiver
  let platform: Platform
  let dataDir: string

  beforeAll(async () => {
    otlp = await startOtlpReceiver()
    dataDir = mkdtempSync(join(tmpdir(), 'myintell-trace-'))
    platform = await startPlatform({
      dataDir, edgePort: 0, apiPort: 0, ingressPort: 0,
      env: platformEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=trace%20key' }),
    })
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await platform?.close()
    await otlp?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('follows a chat that wakes a sleeping superfriend through edge, cluster-api and runtime in one trace', async () => {
    const slug = 'traced-ada'
    await createAgent(platform, slug)
    const traceId = hex(16)
    const callerSpanId = hex(8)
    const response = await chat(platform, slug, { traceparent: `00-${traceId}-${callerSpanId}-01`, tracestate: 'caller=private' })
    const text = await response.text()
    expect(response.status, text).toBe(200)
    // The edge held the request while the agent woke.
    expect(response.headers.get(COLD_START)).not.toBeNull()

    const inTrace = () => otlp.spans.filter((s) => s.traceId === traceId)
    await eventually('spans of the three parts', () => {
      const names = new Set(inTrace().map((s) => `${s.service} ${s.name}`))
      return ['myintell-edge POST agent', 'myintell-edge gate wake', 'myintell-cluster-api driver wake', 'myintell-agent model call'].every((n) => names.has(n))
    })
    const spans = inTrace()
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(SERVICES))

    const request = only(spans, 'myintell-edge', 'POST agent')
    expect(request.kind).toBe(SERVER)
    expect(request.parentSpanId).toBe(callerSpanId)
    const hold = only(spans, 'myintell-edge', 'gate hold')
    expect(hold.parentSpanId).toBe(request.spanId)
    const gateWake = only(spans, 'myintell-edge', 'gate wake')
    expect(gateWake.parentSpanId).toBe(hold.spanId)
    const origin = only(spans, 'myintell-edge', 'origin call')
    expect(origin.kind).toBe(CLIENT)
    expect(origin.parentSpanId).toBe(request.spanId)

    const wakeRequest = only(spans, 'myintell-cluster-api', 'POST internal_wake')
    expect(wakeRequest.kind).toBe(SERVER)
    expect(wakeRequest.parentSpanId).toBe(gateWake.spanId)
    expect(only(spans, 'myintell-cluster-api', 'driver wake').parentSpanId).toBe(wakeRequest.spanId)
    // The wake's status long polls continue the same wake span.
    const polls = spans.filter((s) => s.service === 'myintell-cluster-api' && s.name === 'GET internal_status')
    for (const poll of polls) expect(poll.parentSpanId).toBe(gateWake.spanId)

    const runtimeRequest = only(spans, 'myintell-agent', 'POST /v1/chat')
    expect(runtimeRequest.kind).toBe(SERVER)
    expect(runtimeRequest.parentSpanId).toBe(origin.spanId)
    const turn = only(spans, 'myintell-agent', 'turn')
    expect(turn.parentSpanId).toBe(runtimeRequest.spanId)
    expect(only(spans, 'myintell-agent', 'model call').parentSpanId).toBe(turn.spanId)

    // Every span's parent is a span of this trace, or the caller's.
    const ids = new Set([...spans.map((s) => s.spanId), callerSpanId])
    expect(spans.filter((s) => !ids.has(s.parentSpanId)).map((s) => `${s.service} ${s.name}`)).toEqual([])
    // Nothing names a tenant, an agent id or a path with ids in a span name.
    for (const span of spans) expect(span.name).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/)
    // OTEL_EXPORTER_OTLP_HEADERS reached the collector with every export, from every part.
    expect(otlp.requests.length).toBeGreaterThanOrEqual(3)
    expect(otlp.requests.filter((r) => r.headers['x-collector-key'] !== 'trace key')).toEqual([])
  }, 120_000)

  it('starts a new trace when the caller sends none, or a malformed one', async () => {
    const slug = 'traced-bob'
    await createAgent(platform, slug)
    const before = new Set(otlp.spans.map((s) => s.traceId))
    const response = await chat(platform, slug, { traceparent: 'not-a-traceparent' })
    expect(response.status, await response.text()).toBe(200)
    const fresh = () => otlp.spans.filter((s) => !before.has(s.traceId) && s.service === 'myintell-agent' && s.name === 'model call')
    await eventually('the runtime\'s spans of the new trace', () => fresh().length > 0)
    const traceId = fresh()[0]!.traceId
    expect(traceId).toMatch(/^[0-9a-f]{32}$/)
    await eventually('the edge\'s request span', () => otlp.spans.some((s) => s.traceId === traceId && s.service === 'myintell-edge' && s.name === 'POST agent'))
    const request = otlp.spans.find((s) => s.traceId === traceId && s.name === 'POST agent')!
    expect(request.parentSpanId).toBe('')
  }, 120_000)
})

// Nothing to observe at a collector nobody names: that no span records or is sent without an endpoint is proven by
// wire/node-tracing.test.ts and edge/src/telemetry/tracing.test.ts. Here: with tracing off, the same chat still works.
describe('traces without an endpoint', () => {
  let platform: Platform
  let dataDir: string

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'myintell-untraced-'))
    platform = await startPlatform({ dataDir, edgePort: 0, apiPort: 0, ingressPort: 0, env: platformEnv({}) })
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await platform?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('answers a chat that wakes a superfriend, with a caller\'s traceparent, and fails nothing', async () => {
    await createAgent(platform, 'untraced-ada')
    const response = await chat(platform, 'untraced-ada', { traceparent: `00-${hex(16)}-${hex(8)}-01` })
    expect(response.status, await response.text()).toBe(200)
    expect(response.headers.get(COLD_START)).not.toBeNull()
  }, 120_000)
})
