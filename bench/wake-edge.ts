// `npm run bench -- wake-edge`: cold wake to first byte through the whole platform as `npm start` runs it —
// a first chat to a sleeping superfriend at <slug>.localhost, held by the edge's AgentGate while the local driver wakes it.

import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPlatform, type Platform } from '../scripts/platform.ts'
import { localFetch } from '../test/e2e/support/localhost-fetch.ts'

const WAKES = Number(process.env.BENCH_WAKES ?? 20)

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
  return { p50: Math.round(at(50)), p95: Math.round(at(95)), min: Math.round(sorted[0] ?? NaN), max: Math.round(sorted.at(-1) ?? NaN), n: sorted.length }
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ')

function poolReady(platform: Platform, size: number): boolean {
  const driver = platform.clusterApi.driver as unknown as { pids(): { warm: number[] } }
  return driver.pids().warm.length >= size
}

async function series(warmPoolSize: number): Promise<{ client: number[]; gate: number[] }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'myintell-bench-wake-edge-'))
  const platform = await startPlatform({
    dataDir, edgePort: 0, apiPort: 0, ingressPort: 0,
    env: { ...process.env, MYINTELL_WARM_POOL_SIZE: String(warmPoolSize), LOG_LEVEL: 'error', MYINTELL_ACCESS_LOG: 'off' },
  })
  const client: number[] = []
  const gate: number[] = []
  try {
    for (let i = 0; i < WAKES; i++) {
      const slug = `wake-${warmPoolSize}-${i}-${Date.now().toString(36)}`
      const created = await localFetch(`${platform.apiUrl}/v1/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${platform.seed.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ slug, name: slug, model: { provider: 'local', model: 'local-dev' } }),
      })
      if (created.status !== 201) throw new Error(`creating ${slug}: ${created.status} ${await created.text()}`)
      // Steady state: each wake finds the pool as a quiet platform would have it, full.
      const deadline = Date.now() + 60_000
      while (warmPoolSize > 0 && !poolReady(platform, warmPoolSize) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      const started = performance.now()
      const response = await localFetch(`${platform.agentUrl(slug)}/v1/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${platform.seed.apiKey}`, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'hello' }),
      })
      const reader = response.body!.getReader()
      await reader.read() // the first byte of the reply
      client.push(performance.now() - started)
      gate.push(Number(response.headers.get('x-myintell-cold-start') ?? NaN))
      if (response.status !== 200) throw new Error(`chat with ${slug}: ${response.status}`)
      while (!(await reader.read()).done) { /* drain */ }
    }
  } finally {
    await platform.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  return { client, gate }
}

console.log(`wake through the edge: ${WAKES} first chats to sleeping superfriends per series; load average ${load()}`)
const pooled = await series(2)
console.log('warm pool of 2 — client: request → first byte (ms):', summary(pooled.client), '(target p50 ≤ 90, issue 14)')
console.log('                 gate: X-Myintell-Cold-Start (ms): ', summary(pooled.gate))
const cold = await series(0)
console.log('no warm pool   — client: request → first byte (ms):', summary(cold.client), '(target p50 ≤ 1500)')
console.log('                 gate: X-Myintell-Cold-Start (ms): ', summary(cold.gate))
console.log(`load average at the end: ${load()}`)
