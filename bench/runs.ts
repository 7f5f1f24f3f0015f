// `npm run bench -- runs`: runs and schedules on the real platform (embedded PostgreSQL, cluster-api, local driver,
// runtimes with the offline `local` model). Prints:
// 1. schedule fire → agent woken (the runtime's `start` event) → first token, p50/p99 over 20 fires, each on a
//    superfriend asleep until its schedule fires;
// 2. runs per second with 1,000 runs queued at once against awake `local` agents, and the queue's own overhead per
//    run (a worker slot's time per run outside the attempt itself: pg-boss fetch and completion, our bookkeeping).

import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { pino } from 'pino'
import { loadConfig } from '../cluster-api/src/config.ts'
import { createDriver } from '../cluster-api/src/drivers/index.ts'
import { startClusterApi } from '../cluster-api/src/server.ts'
import { tenantDatabaseProvisioner } from '../cluster-api/src/tenant-databases.ts'

const FIRES = Number(process.env.BENCH_FIRES ?? 20)
const QUEUED = Number(process.env.BENCH_RUNS ?? 1_000)
const CONCURRENCY = Number(process.env.BENCH_RUN_CONCURRENCY ?? 8)
/** Agents the queued runs are spread over (each one awake before the clock starts). */
const AGENTS = 4
const SECRET = 'bench-runs-signing-secret-0123456789abcdef'

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
const fmt = (samples: number[]) => `p50 ${Math.round(percentile(samples, 50))} ms, p99 ${Math.round(percentile(samples, 99))} ms (min ${Math.round(Math.min(...samples))}, max ${Math.round(Math.max(...samples))}, n ${samples.length})`

const dataDir = await mkdtemp(join(tmpdir(), 'myintell-bench-runs-'))
// A short idle timeout: the 20 superfriends woken by fires go back to sleep instead of crowding the drain.
const config = loadConfig({ EDGE_SIGNING_SECRET: SECRET, MYINTELL_DATA_DIR: dataDir, MYINTELL_INGRESS_PORT: '0', PORT: '0', MYINTELL_IDLE_TIMEOUT_MS: '10000' })
const driverSettings = config.driver!
const api = await startClusterApi({
  dataDir, idleTimeoutMs: config.idleTimeoutMs, signingSecret: SECRET, logger: pino({ level: 'warn' }), port: 0,
  tenantDatabases: tenantDatabaseProvisioner(config.tenantDatabases),
  driver: ({ url }) => createDriver({ driver: driverSettings, signingSecret: SECRET, platformUrl: url, handleSignals: false }),
  runs: { ...config.runs, concurrency: CONCURRENCY },
})
const sql = new pg.Pool({ connectionString: api.database.url, max: 2 })
const v1 = async <T>(method: string, path: string, token: string, body?: unknown): Promise<T> => {
  const response = await fetch(`${api.url}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}
const waitFor = async (what: string, probe: () => Promise<boolean>, timeoutMs = 600_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

try {
  const { token } = await v1<{ token: string }>('POST', '/v1/dev/sign-in', '', { email: 'bench@example.test' })
  await v1('POST', '/v1/tenants', token, { slug: 'bench-runs', name: 'bench' })

  // 1. Fire → woken → first token, each fire on a sleeping superfriend.
  const fires = new Map<string, number>()
  api.runs!.scheduler.onFire = (runId) => fires.set(runId, Date.now())
  const dueToFire: number[] = []
  const toStart: number[] = []
  const toToken: number[] = []
  for (let i = 0; i < FIRES; i++) {
    const agent = await v1<{ id: string }>('POST', '/v1/agents', token, { slug: `bench-fire-${i}`, name: `fire ${i}`, model: { provider: 'local', model: 'local-dev' } })
    const at = new Date(Date.now() + 1_200)
    const schedule = await v1<{ id: string }>('POST', `/v1/agents/${agent.id}/schedules`, token, { input: `fire ${i}`, at: at.toISOString() })
    let runId = ''
    await waitFor('the fire', async () => {
      const { rows } = await sql.query<{ id: string; status: string }>('select id, status from runs where schedule_id = $1', [schedule.id])
      runId = rows[0]?.id ?? ''
      return rows[0]?.status === 'succeeded' || rows[0]?.status === 'failed'
    })
    const { rows } = await sql.query<{ type: string; at: Date }>(
      `select type, min(created_at) as at from run_events where run_id = $1 and type in ('start', 'delta') group by type`, [runId])
    const firedAt = fires.get(runId)!
    dueToFire.push(firedAt - at.getTime())
    toStart.push(rows.find((r) => r.type === 'start')!.at.getTime() - firedAt)
    toToken.push(rows.find((r) => r.type === 'delta')!.at.getTime() - firedAt)
  }
  console.log(`schedule fire → woken (runtime's start event), ${FIRES} sleeping superfriends: ${fmt(toStart)}`)
  console.log(`schedule fire → first token:                                     ${fmt(toToken)}`)
  console.log(`due time → fire (MYINTELL_SCHEDULE_TICK_MS ${config.runs.scheduleTickMs}):                        ${fmt(dueToFire)}`)

  // 2. 1,000 queued runs against awake agents.
  const agents: string[] = []
  for (let i = 0; i < AGENTS; i++) {
    const agent = await v1<{ id: string }>('POST', '/v1/agents', token, { slug: `bench-load-${i}`, name: `load ${i}`, model: { provider: 'local', model: 'local-dev' } })
    agents.push(agent.id)
    const warm = await v1<{ id: string }>('POST', `/v1/agents/${agent.id}/runs`, token, { input: 'warm up' })
    await waitFor('the warm-up run', async () => (await sql.query('select 1 from runs where id = $1 and status = $2', [warm.id, 'succeeded'])).rowCount === 1)
  }
  // Queued with this process's workers paused: the clock starts with all of them waiting.
  await api.runs!.queue.pause()
  const ids: string[] = []
  const queueStarted = performance.now()
  for (let i = 0; i < QUEUED; i++) ids.push((await v1<{ id: string }>('POST', `/v1/agents/${agents[i % AGENTS]}/runs`, token, { input: `load ${i}` })).id)
  const queueMs = performance.now() - queueStarted
  const started = performance.now()
  await api.runs!.queue.resume()
  await waitFor('every queued run to end', async () => {
    const { rows } = await sql.query<{ n: string }>(`select count(*) as n from runs where status in ('queued', 'running')`)
    return Number(rows[0]!.n) === 0
  })
  const wallMs = performance.now() - started
  const { rows: outcome } = await sql.query<{ status: string; n: string }>('select status, count(*) as n from runs where id = any($1) group by status', [ids])
  const { rows: attempts } = await sql.query<{ ms: number }>(
    `select extract(epoch from (max(created_at) filter (where type = 'status') - min(created_at) filter (where type = 'attempt'))) * 1000 as ms
     from run_events where run_id = any($1) group by run_id`, [ids])
  const attemptMs = attempts.reduce((sum, r) => sum + Number(r.ms), 0) / attempts.length
  const slotMsPerRun = (CONCURRENCY * wallMs) / QUEUED
  console.log(`queued ${QUEUED} runs through POST /v1/agents/:id/runs in ${Math.round(queueMs)} ms (${Math.round(QUEUED / (queueMs / 1000))}/s)`)
  console.log(`drained ${QUEUED} queued runs on ${AGENTS} awake agents, ${CONCURRENCY} workers: ${Math.round(wallMs)} ms = ${(QUEUED / (wallMs / 1000)).toFixed(1)} runs/s (${outcome.map((r) => `${r.n} ${r.status}`).join(', ')})`)
  console.log(`per run: attempt (wake check, signed turn, its SSE reply stored event by event) ${attemptMs.toFixed(1)} ms; worker-slot time ${slotMsPerRun.toFixed(1)} ms; queue overhead (slot time outside the attempt) ${(slotMsPerRun - attemptMs).toFixed(1)} ms`)

  // Pick-up latency on an idle queue: row written → attempt begins, one run at a time.
  const pickup: number[] = []
  for (let i = 0; i < 10; i++) {
    const run = await v1<{ id: string }>('POST', `/v1/agents/${agents[0]}/runs`, token, { input: `idle ${i}` })
    await waitFor('the run', async () => (await sql.query(`select 1 from runs where id = $1 and status = 'succeeded'`, [run.id])).rowCount === 1)
    const { rows } = await sql.query<{ ms: number }>(
      `select extract(epoch from (e.created_at - r.created_at)) * 1000 as ms from runs r join run_events e on e.run_id = r.id and e.seq = 1 where r.id = $1`, [run.id])
    pickup.push(Number(rows[0]!.ms))
  }
  console.log(`idle queue, run row → attempt begins (pg-boss LISTEN/NOTIFY, 0.5 s poll fallback): ${fmt(pickup)}`)
} finally {
  await sql.end()
  await api.close()
  await rm(dataDir, { recursive: true, force: true })
  console.log(`load average after: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`)
}
