// `npm run bench -- api`: loads 10,000 tenants and 100,000 agents, then measures the edge's slug route
// lookup (signed internal request) and an authenticated GET /v1/agents/:id over HTTP: p50, p99, req/s.

import { mkdtemp, rm } from 'node:fs/promises'
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
import { pino } from 'pino'
import { sql } from 'drizzle-orm'
import { startClusterApi } from '../cluster-api/src/server.ts'
import { agents, memberships, tenants, users } from '../cluster-api/src/db/schema/index.ts'
import { createApiKey } from '../cluster-api/src/db/queries/api-keys.ts'
import { findAgentBySlug } from '../cluster-api/src/db/queries/agents.ts'
import { INTERNAL_PATHS } from '../wire/internal-api.ts'
import { signHeaders } from '../wire/signature.ts'
import { edgeSecret } from '../wire/node-hmac.ts'

const TENANTS = 10_000
const AGENTS_PER_TENANT = 10
const SEQUENTIAL_REQUESTS = 2_000
const CONCURRENT_REQUESTS = 5_000
const CONCURRENCY = 16
const SECRET = 'bench-edge-signing-secret-0123456789abcdef'
const EDGE_KEY = edgeSecret(SECRET)

const dataDir = await mkdtemp(join(tmpdir(), 'myintell-bench-'))
const api = await startClusterApi({
  databaseUrl: process.env.DATABASE_URL, dataDir, signingSecret: SECRET, logger: pino({ level: 'warn' }),
})
try {
  console.log(`load average at the start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`)
  console.log(`cluster-api ${api.url} on ${api.database.driver} PostgreSQL; loading ${TENANTS} tenants, ${TENANTS * AGENTS_PER_TENANT} agents…`)
  const loadStart = performance.now()
  // Generated inside PostgreSQL: one statement per table instead of 100,000 rows through the client.
  await api.db.execute(sql`insert into tenants (id, slug, name)
    select gen_random_uuid(), 'bench-tenant-' || i, 'Tenant ' || i from generate_series(0, ${TENANTS - 1}) as i`)
  await api.db.execute(sql`insert into agents (id, tenant_id, slug, name, persona, model)
    select gen_random_uuid(), t.id, 'agent-' || substr(t.slug, 14) || '-' || a, 'Agent ' || a,
      '{"systemPrompt":"You are helpful.","style":"brief"}'::jsonb, '{"provider":"anthropic","model":"claude-sonnet-4-5"}'::jsonb
    from tenants t cross join generate_series(0, ${AGENTS_PER_TENANT - 1}) as a where t.slug like 'bench-tenant-%'`)
  const tenantRows = await api.db.select({ id: tenants.id, slug: tenants.slug }).from(tenants)
  const agentRows = await api.db.select({ id: agents.id, tenantId: agents.tenantId, slug: agents.slug }).from(agents)
  if (agentRows.length < TENANTS * AGENTS_PER_TENANT) throw new Error(`expected ${TENANTS * AGENTS_PER_TENANT} agents, found ${agentRows.length}`)
  await api.db.execute(sql`analyze`)
  console.log(`loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`)

  const plan = await api.db.execute(sql`explain select id, tenant_id, slug, visibility, workload_state from agents where slug = 'agent-4242-7' limit 1`)
  console.log(`route lookup plan: ${((plan as { rows: Array<Record<string, string>> }).rows).map((r) => Object.values(r)[0]).join(' | ')}`)

  // One API key for a bench tenant, and a user token of a member of that tenant.
  const benchTenant = tenantRows.find((t) => t.slug === 'bench-tenant-4242')!
  const tenantAgents = agentRows.filter((a) => a.tenantId === benchTenant.id)
  const { plaintext: apiKey } = await createApiKey(api.db, benchTenant.id, { name: 'bench', scopes: ['agents:read'], createdBy: null })
  const signIn = await fetch(`${api.url}/v1/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"bench@example.test"}' })
  const session = (await signIn.json()) as { token: string; userId: string }
  await api.db.insert(users).values({ id: session.userId, email: 'bench@example.test' }).onConflictDoNothing()
  await api.db.insert(memberships).values({ tenantId: benchTenant.id, userId: session.userId, role: 'member' })

  // The client is node:http over keep-alive connections, as a gateway's connection pool would be. The
  // clock starts once the request is signed: signing is the edge's work, in the edge (timed on its own
  // below). The last route-lookup row keeps the earlier method for comparison — undici's fetch(), with
  // signing inside the clock — whose allocations (and their GC pauses in this shared process) were most
  // of the old tail.
  const { hostname, port } = new URL(api.url)
  const connections = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY })
  const random = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!
  const signedRouteRequest = async () => {
    const path = INTERNAL_PATHS.route(random(agentRows).slug)
    const headers = new Headers()
    await signHeaders(headers, { method: 'GET', host: 'api.myintell.ai', path }, EDGE_KEY)
    return { path, headers: Object.fromEntries(headers) }
  }
  const routeLookup = async () => {
    const { path, headers } = await signedRouteRequest()
    const t0 = performance.now()
    await get(path, headers)
    return performance.now() - t0
  }
  const routeLookupWithFetch = () => timed(async () => {
    const path = INTERNAL_PATHS.route(random(agentRows).slug)
    const headers = new Headers()
    await signHeaders(headers, { method: 'GET', host: 'api.myintell.ai', path }, EDGE_KEY)
    const response = await fetch(`${api.url}${path}`, { headers })
    if (response.status !== 200) throw new Error(`unexpected ${response.status}: ${await response.text()}`)
    await response.arrayBuffer()
  })
  const getAgentWith = (token: string) => () => timed(() => get(`/v1/agents/${random(tenantAgents).id}`, { authorization: `Bearer ${token}` }))
  const directLookup = () => timed(async () => {
    if (!(await findAgentBySlug(api.db, random(agentRows).slug))) throw new Error('slug not found')
  })

  const scenarios: Array<[string, () => Promise<number>]> = [
    ['signHeaders alone (WebCrypto, edge-side work, not in rows below)', () => timed(signedRouteRequest)],
    ['findAgentBySlug (the query alone, no HTTP)', directLookup],
    ['route lookup (signed GET /internal/v1/routes/:slug)', routeLookup],
    ['GET /v1/agents/:id with an API key', getAgentWith(apiKey)],
    ['GET /v1/agents/:id with a session JWT (ES256 via JWKS)', getAgentWith(session.token)],
  ]
  for (const [, run] of scenarios) for (let i = 0; i < 200; i++) await run() // warm-up: JIT, pool, JWKS cache
  // Sequential requests round-robin over the scenarios, so all of them see the same machine load.
  const gc = { pauses: 0, totalMs: 0, maxMs: 0 }
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.pauses++
      gc.totalMs += entry.duration
      gc.maxMs = Math.max(gc.maxMs, entry.duration)
    }
  })
  gcObserver.observe({ entryTypes: ['gc'] })
  const sequential = scenarios.map(() => [] as number[])
  const sequentialStart = performance.now()
  for (let i = 0; i < SEQUENTIAL_REQUESTS; i++) {
    for (const [index, [, run]] of scenarios.entries()) sequential[index]!.push(await run())
  }
  const sequentialElapsedMs = performance.now() - sequentialStart
  gcObserver.disconnect()
  console.log(`\n${'scenario'.padEnd(68)} ${'mode'.padEnd(14)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(8)}`)
  for (const [index, [name, run]] of scenarios.entries()) {
    const seq = summarize(sequential[index]!, SEQUENTIAL_REQUESTS, sequentialElapsedMs * (sum(sequential[index]!) / sum(sequential.flat())))
    const concurrent = index === 0 ? null : await measure(run, CONCURRENT_REQUESTS, CONCURRENCY)
    for (const [mode, r] of [['sequential', seq], [`${CONCURRENCY} in flight`, concurrent]] as const) {
      if (r) console.log(`${name.padEnd(68)} ${mode.padEnd(14)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.rps.toFixed(0).padStart(8)}`)
    }
  }
  // Run apart from the rounds above, so fetch()'s garbage is not collected during their requests.
  for (let i = 0; i < 200; i++) await routeLookupWithFetch()
  const withFetch = await measure(routeLookupWithFetch, SEQUENTIAL_REQUESTS, 1)
  const withFetchConcurrent = await measure(routeLookupWithFetch, CONCURRENT_REQUESTS, CONCURRENCY)
  for (const [mode, r] of [['sequential', withFetch], [`${CONCURRENCY} in flight`, withFetchConcurrent]] as const) {
    console.log(`${'route lookup, earlier method: fetch() client, signing timed'.padEnd(68)} ${mode.padEnd(14)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.rps.toFixed(0).padStart(8)}`)
  }
  console.log(`\nGC during the sequential rounds (client and server together): ${gc.pauses} pauses, ${gc.totalMs.toFixed(0)} ms in all, longest ${gc.maxMs.toFixed(1)} ms`)
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`)
  console.log('\n(client and server share this process and its 2 cores; latencies are end to end over loopback HTTP;')
  console.log(' every route lookup is a different random slug of the 100,000 and reaches PostgreSQL: the cluster-api caches no routes)')

  /** A GET over the keep-alive pool; resolves once the whole body has arrived; anything but 200 fails the run. */
  function get(path: string, headers: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ agent: connections, host: hostname, port, path, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          if (res.statusCode === 200) resolve()
          else reject(new Error(`unexpected ${res.statusCode} for ${path}: ${Buffer.concat(chunks).toString()}`))
        })
      })
      req.on('error', reject)
      req.end()
    })
  }
} finally {
  await api.close()
  await rm(dataDir, { recursive: true, force: true })
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await run()
  return performance.now() - t0
}

async function measure(run: () => Promise<number>, total: number, concurrency: number) {
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next++
      latencies.push(await run())
    }
  }))
  return summarize(latencies, total, performance.now() - started)
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

function summarize(latencies: number[], total: number, elapsedMs: number) {
  const sorted = [...latencies].sort((x, y) => x - y)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { p50: at(0.5), p99: at(0.99), rps: (total / elapsedMs) * 1000 }
}
