// The local driver with real agent-runtime processes (the bundle agent/dist/runtime.mjs) and a real tenant database.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { NO_ENDPOINTS } from '../../../../wire/headers.ts'
import { createTestDatabase } from '../../../../test/support/db.ts'
import { createLocalDriver } from './index.ts'
import type { LocalDriver, LocalDriverOptions } from './index.ts'
import { agentSpec, isAlive, signedFetch, TEST_SIGNING_SECRET, waitFor } from '../../../../test/local-driver/support.ts'

const CRASHING_RUNTIME = fileURLToPath(new URL('../../../../test/local-driver/crashing-runtime.ts', import.meta.url))
const DRIVER_HOST = fileURLToPath(new URL('../../../../test/local-driver/driver-host.ts', import.meta.url))

let tenantDatabaseUrl: string
const drivers: LocalDriver[] = []
const seenPids = new Set<number>()

beforeAll(async () => {
  tenantDatabaseUrl = await createTestDatabase('local_driver')
})

async function newDriver(options: Partial<LocalDriverOptions> = {}): Promise<LocalDriver> {
  const driver = await createLocalDriver({
    signingSecret: TEST_SIGNING_SECRET,
    platformUrl: 'http://127.0.0.1:9',
    warmPoolSize: 0,
    drainTimeoutMs: 1_000,
    handleSignals: false,
    ...options,
  })
  drivers.push(driver)
  return driver
}

function livePids(driver: LocalDriver): number[] {
  const { agents, pool } = driver.pids()
  const pids = [...Object.values(agents).flat(), ...pool]
  for (const pid of pids) seenPids.add(pid)
  return pids
}

afterEach(async () => {
  for (const driver of drivers.splice(0)) {
    livePids(driver)
    await driver.close()
  }
})

afterAll(() => {
  // Nothing any test started may outlive the file.
  expect([...seenPids].filter(isAlive)).toEqual([])
})

// Real processes on a shared 2-core machine: a cold start can take several seconds under load.
describe('local driver', { timeout: 90_000 }, () => {
  it('wakes a cold agent without waiting, then serves it through the ingress once ready', async () => {
    const driver = await newDriver()
    const spec = agentSpec('wake-ada', tenantDatabaseUrl)
    await driver.ensure(spec)
    expect(await driver.status(spec.agentId)).toMatchObject({ state: 'cold', ready: false, replicas: 0 })

    const asleep = await signedFetch(driver.ingressUrl, spec.slug, '/v1/conversations')
    expect(asleep.status).toBe(503)
    expect(asleep.headers.get(NO_ENDPOINTS)).toBe('1')
    await asleep.body?.cancel()

    const woken = await driver.wake(spec.agentId)
    expect(woken).toMatchObject({ state: 'waking', ready: false })
    expect(await driver.wake(spec.agentId)).toMatchObject({ state: 'waking' })
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(30_000))
    expect(await driver.status(spec.agentId)).toMatchObject({ state: 'ready', ready: true, replicas: 1 })
    expect(livePids(driver)).toHaveLength(1)

    const res = await signedFetch(driver.ingressUrl, spec.slug, '/v1/conversations')
    expect(res.headers.get(NO_ENDPOINTS)).toBeNull()
    expect(res.status).toBe(200)
    await res.body?.cancel()
  })

  it('scales back to zero processes after the idle timeout', async () => {
    const driver = await newDriver({ idleTimeoutMs: 1_000 })
    const spec = agentSpec('idle-bob', tenantDatabaseUrl)
    await driver.ensure(spec)
    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(30_000))
    const [pid] = livePids(driver)

    await waitFor('the idle agent to stop', () => !isAlive(pid!))
    expect(await driver.status(spec.agentId)).toMatchObject({ state: 'cold', ready: false, replicas: 0 })
    expect(livePids(driver)).toEqual([])
    const res = await signedFetch(driver.ingressUrl, spec.slug, '/v1/conversations')
    expect(res.status).toBe(503)
    expect(res.headers.get(NO_ENDPOINTS)).toBe('1')
    await res.body?.cancel()
  })

  it('stays awake while the edge keeps reporting activity, and idles out once it stops', async () => {
    const driver = await newDriver({ idleTimeoutMs: 1_500 })
    const spec = agentSpec('touch-cy', tenantDatabaseUrl)
    await driver.ensure(spec)
    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(30_000))
    const [pid] = livePids(driver)

    // Report activity every 250 ms for well past the idle timeout.
    const until = Date.now() + 3_500
    while (Date.now() < until) {
      await driver.touch(spec.agentId, Date.now(), 0)
      await new Promise((r) => setTimeout(r, 250))
    }
    expect(isAlive(pid!)).toBe(true)
    expect(await driver.status(spec.agentId)).toMatchObject({ state: 'ready' })

    await waitFor('the agent to idle out after the reports stop', () => !isAlive(pid!))
    expect(await driver.status(spec.agentId)).toMatchObject({ state: 'cold', replicas: 0 })
  })

  it('keeps an agent with open streams awake past the idle timeout', async () => {
    const driver = await newDriver({ idleTimeoutMs: 1_000 })
    const spec = agentSpec('stream-dee', tenantDatabaseUrl)
    await driver.ensure(spec)
    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(30_000))
    const [pid] = livePids(driver)

    // One report of an open stream, then silence past the idle timeout: the open stream keeps it awake.
    await driver.touch(spec.agentId, Date.now(), 1)
    await new Promise((r) => setTimeout(r, 1_500))
    expect(isAlive(pid!)).toBe(true)
    await driver.touch(spec.agentId, Date.now(), 0)
    await waitFor('the agent to idle out once no stream is open', () => !isAlive(pid!))
  })

  it('keeps an agent awake while a reply streams through the ingress, then idles out', async () => {
    // Each token of the local model takes 150 ms: the reply streams for ~3 s, three idle timeouts.
    const driver = await newDriver({ idleTimeoutMs: 1_000, runtimeEnv: { MYINTELL_LOCAL_TOKEN_DELAY_MS: '150' } })
    const spec = agentSpec('sse-joy', tenantDatabaseUrl)
    await driver.ensure(spec)
    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(60_000))
    const [pid] = livePids(driver)

    const res = await signedFetch(driver.ingressUrl, spec.slug, '/v1/chat', {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'tell me a story about a very patient superfriend please' }),
    })
    expect(res.status).toBe(200)
    const body = await res.text()
    // A runtime stopped mid-reply would cut the stream before its final event.
    expect(body).toContain('event: done')
    expect(body.match(/event: delta/g)?.length ?? 0).toBeGreaterThan(15)
    expect(isAlive(pid!)).toBe(true)
    expect(await driver.status(spec.agentId)).toMatchObject({ state: 'ready' })
    await waitFor('the agent to idle out after the stream', () => !isAlive(pid!))
  })

  it('restarts a runtime that crashes', async () => {
    const driver = await newDriver({ idleTimeoutMs: 0, restartBackoffMs: 50 })
    const spec = agentSpec('crash-eve', tenantDatabaseUrl)
    await driver.ensure(spec)
    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(30_000))
    const [first] = livePids(driver)

    process.kill(first!, 'SIGKILL')
    await waitFor('a restarted runtime', async () => {
      const status = await driver.status(spec.agentId)
      const [pid] = livePids(driver)
      return status.ready && pid !== undefined && pid !== first
    }, 30_000)
    expect(isAlive(first!)).toBe(false)
    const res = await signedFetch(driver.ingressUrl, spec.slug, '/v1/conversations')
    expect(res.status).toBe(200)
    await res.body?.cancel()
  })

  it('tells every change of an agent\'s state as it happens: wake, readiness, a crash, the restart, an idle-out, close', async () => {
    const driver = await newDriver({ idleTimeoutMs: 1_500, restartBackoffMs: 50 })
    const told: string[] = []
    driver.watchStates((status) => told.push(`${status.agentId}:${status.state}`))
    const spec = agentSpec('told-kit', tenantDatabaseUrl)
    await driver.ensure(spec)
    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(30_000))
    expect(told).toEqual([`${spec.agentId}:waking`, `${spec.agentId}:ready`])

    const [first] = livePids(driver)
    process.kill(first!, 'SIGKILL')
    await waitFor('the restart after the crash', () => told.length === 4, 30_000)
    // Crashed: waking (backoff, then the restart) without a second `waking` for the relaunch, then ready again.
    expect(told.slice(2)).toEqual([`${spec.agentId}:waking`, `${spec.agentId}:ready`])

    await waitFor('the idle-out', () => told.length === 5, 30_000)
    expect(told[4]).toBe(`${spec.agentId}:cold`)
    await waitFor('the idle runtime to drain and exit', () => livePids(driver).length === 0)

    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(30_000))
    await driver.close()
    expect(told.slice(5)).toEqual([`${spec.agentId}:waking`, `${spec.agentId}:ready`, `${spec.agentId}:cold`])
  })

  it('stops a crash loop and reports it as failed instead of retrying forever', async () => {
    const driver = await newDriver({ runtimeEntry: CRASHING_RUNTIME, restartBackoffMs: 20, maxCrashes: 3 })
    const spec = agentSpec('loop-fay', tenantDatabaseUrl)
    await driver.ensure(spec)
    await driver.wake(spec.agentId)
    await waitFor('the crash loop to be reported', async () => (await driver.status(spec.agentId)).state === 'failed')
    const status = await driver.status(spec.agentId)
    expect(status).toMatchObject({ state: 'failed', ready: false, replicas: 0 })
    expect(status.message).toMatch(/crash loop: 3 crashes/)
    await expect(driver.waitUntilReady(spec.agentId, AbortSignal.timeout(1_000))).rejects.toThrow(/crash loop/)
    // Within the cooldown a wake does not start the loop again.
    expect(await driver.wake(spec.agentId)).toMatchObject({ state: 'failed' })
    expect(livePids(driver)).toEqual([])
  })

  it('assigns a warm-pool runtime on wake and refills the pool in the background', async () => {
    const driver = await newDriver({ warmPoolSize: 1, idleTimeoutMs: 0 })
    const spec = agentSpec('pool-gus', tenantDatabaseUrl)
    await driver.ensure(spec)
    await waitFor('a warm runtime', () => driver.pids().warm.length === 1)
    const [warm] = driver.pids().warm
    livePids(driver)
    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(30_000))
    expect(driver.pids().agents[spec.agentId]).toEqual([warm])

    await waitFor('the pool to refill', () => driver.pids().warm.length === 1)
    const [refill] = driver.pids().warm
    expect(refill).not.toBe(warm)
    livePids(driver)
    const res = await signedFetch(driver.ingressUrl, spec.slug, '/v1/conversations')
    expect(res.status).toBe(200)
    await res.body?.cancel()
  })

  it('takes a warm-pool runtime\'s ready answer to its assignment: no /readyz poll follows; a cold start polls', async () => {
    const readyLines: Array<Record<string, unknown>> = []
    const logger = { debug() {}, info: (obj: object, msg?: string) => { if (msg === 'agent ready') readyLines.push(obj as Record<string, unknown>) }, warn() {}, error() {} }
    const pooled = await newDriver({ warmPoolSize: 1, idleTimeoutMs: 0, logger })
    const warmSpec = agentSpec('probe-warm', tenantDatabaseUrl)
    await pooled.ensure(warmSpec)
    await waitFor('a warm runtime', () => pooled.pids().warm.length === 1)
    await pooled.wake(warmSpec.agentId)
    await pooled.waitUntilReady(warmSpec.agentId, AbortSignal.timeout(30_000))
    expect(readyLines.find((l) => l.agentId === warmSpec.agentId)).toMatchObject({ readyByAssign: true, readinessProbes: 0 })
    const res = await signedFetch(pooled.ingressUrl, warmSpec.slug, '/v1/conversations')
    expect(res.status).toBe(200)
    await res.body?.cancel()

    // The counter counts: a cold start has no assignment to answer, so it learns readiness from /readyz.
    const cold = await newDriver({ idleTimeoutMs: 0, logger })
    const coldSpec = agentSpec('probe-cold', tenantDatabaseUrl)
    await cold.ensure(coldSpec)
    await cold.wake(coldSpec.agentId)
    await cold.waitUntilReady(coldSpec.agentId, AbortSignal.timeout(30_000))
    const coldLine = readyLines.find((l) => l.agentId === coldSpec.agentId)
    expect(coldLine).toMatchObject({ readyByAssign: false })
    expect(coldLine!.readinessProbes).toBeGreaterThan(0)
    livePids(pooled)
    livePids(cold)
  })

  it('hands a still-starting pool runtime to a wake instead of spawning another', async () => {
    const driver = await newDriver({ warmPoolSize: 1, idleTimeoutMs: 0 })
    const spec = agentSpec('pool-early', tenantDatabaseUrl)
    await driver.ensure(spec)
    const [starting] = driver.pids().pool
    expect(driver.pids().warm).toEqual([])
    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(60_000))
    expect(driver.pids().agents[spec.agentId]).toEqual([starting])
    livePids(driver)
  })

  it('pushes new settings to an awake agent without restarting it', async () => {
    const driver = await newDriver({ idleTimeoutMs: 0 })
    const spec = agentSpec('conf-hal', tenantDatabaseUrl)
    await driver.ensure(spec)
    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(30_000))
    const [pid] = livePids(driver)
    await driver.ensure({ ...spec, persona: { systemPrompt: 'New persona.', style: 'warm' } })
    expect(livePids(driver)).toEqual([pid])
    expect(await driver.status(spec.agentId)).toMatchObject({ state: 'ready' })
  })

  it('stops every process on close(), warm pool included', async () => {
    const driver = await newDriver({ warmPoolSize: 2, idleTimeoutMs: 0 })
    const spec = agentSpec('close-ivy', tenantDatabaseUrl)
    await driver.ensure(spec)
    await driver.wake(spec.agentId)
    await driver.waitUntilReady(spec.agentId, AbortSignal.timeout(30_000))
    await waitFor('the pool to be full', () => driver.pids().warm.length === 2)
    const pids = livePids(driver)
    expect(pids.length).toBeGreaterThanOrEqual(3)
    await driver.close()
    expect(pids.filter(isAlive)).toEqual([])
    expect(await driver.status(spec.agentId)).toMatchObject({ state: 'cold', replicas: 0 })
  })

  it.each(['SIGKILL', 'SIGTERM'] as const)('leaves no runtime behind when the cluster-api gets %s', async (signal) => {
    const host = spawn(process.execPath, [DRIVER_HOST], {
      env: { PATH: process.env.PATH ?? '', TEST_TENANT_DATABASE_URL: tenantDatabaseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise<void>((resolve) => host.once('exit', () => resolve()))
    const pids = await new Promise<number[]>((resolve, reject) => {
      createInterface({ input: host.stdout! }).on('line', (line) => resolve((JSON.parse(line) as { pids: number[] }).pids))
      host.once('exit', (code) => reject(new Error(`driver host exited early (${code})`)))
    })
    for (const pid of pids) seenPids.add(pid)
    expect(pids).toHaveLength(2)
    expect(pids.every(isAlive)).toBe(true)
    // SIGKILL: the runtimes notice their stdin closing (parent-watch.mjs). SIGTERM: the driver stops them, then the host exits.
    host.kill(signal)
    await exited
    await waitFor('every runtime of the host to exit', () => !pids.some(isAlive))
  })
})
