// `npm run bench -- api`: loads 10,000 tenants and 100,000 agents, then measures the edge's slug route
// lookup (signed internal request) and an authenticated GET /v1/agents/:id over HTTP: p50, p99, req/s.

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { sql } from 'drizzle-orm'
import { startClusterApi } from '../cluster-api/src/server.ts'
import { agents, memberships, tenants, users } from '../cluster-api/src/db/schema/index.ts'
import { newId } from '../cluster-api/src/db/ids.ts'
import { createApiKey } from '../cluster-api/src/db/queries/api-keys.ts'
import { INTERNAL_PATHS } from '../wire/internal-api.ts'
import { signHeaders } from '../wire/signature.ts'

const TENANTS = 10_000
const AGENTS_PER_TENANT = 10
const INSERT_CHUNK_ROWS = 2_000
const SEQUENTIAL_REQUESTS = 2_000
const CONCURRENT_REQUESTS = 5_000
const CONCURRENCY = 16
const SECRET = 'bench-edge-signing-secret-0123456789abcdef'

const dataDir = await mkdtemp(join(tmpdir(), 'myintell-bench-'))
const api = await startClusterApi({
  databaseUrl: process.env.DATABASE_URL, dataDir, signingSecret: SECRET, logger: pino({ level: 'warn' }),
})
try {
  console.log(`cluster-api ${api.url} on ${api.database.driver} PostgreSQL; loading ${TENANTS} tenants, ${TENANTS * AGENTS_PER_TENANT} agents…`)
  const loadStart = performance.now()
  const tenantRows = Array.from({ length: TENANTS }, (_, i) => ({ id: newId(), slug: `bench-tenant-${i}`, name: `Tenant ${i}` }))
  for (let i = 0; i < tenantRows.length; i += INSERT_CHUNK_ROWS) await api.db.insert(tenants).values(tenantRows.slice(i, i + INSERT_CHUNK_ROWS))
  const agentRows = tenantRows.flatMap((tenant, t) => Array.from({ length: AGENTS_PER_TENANT }, (_, a) => ({
    id: newId(), tenantId: tenant.id, slug: `agent-${t}-${a}`, name: `Agent ${t}/${a}`,
    persona: { systemPrompt: 'You are helpful.', style: 'brief' }, model: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
  })))
  for (let i = 0; i < agentRows.length; i += INSERT_CHUNK_ROWS) await api.db.insert(agents).values(agentRows.slice(i, i + INSERT_CHUNK_ROWS))
  await api.db.execute(sql`analyze`)
  console.log(`loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`)

  const plan = await api.db.execute(sql`explain select id, tenant_id, slug, visibility, workload_state from agents where slug = 'agent-4242-7' limit 1`)
  console.log(`route lookup plan: ${((plan as { rows: Array<Record<string, string>> }).rows).map((r) => Object.values(r)[0]).join(' | ')}`)

  // One API key for a bench tenant, and a user token of a member of that tenant.
  const benchTenant = tenantRows[4242]!
  const tenantAgents = agentRows.filter((a) => a.tenantId === benchTenant.id)
  const { plaintext: apiKey } = await createApiKey(api.db, benchTenant.id, { name: 'bench', scopes: ['agents:read'], createdBy: null })
  const signIn = await fetch(`${api.url}/v1/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"bench@example.test"}' })
  const session = (await signIn.json()) as { token: string; userId: string }
  await api.db.insert(users).values({ id: session.userId, email: 'bench@example.test' }).onConflictDoNothing()
  await api.db.insert(memberships).values({ tenantId: benchTenant.id, userId: session.userId, role: 'member' })

  const random = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!
  const routeLookup = async () => {
    const path = INTERNAL_PATHS.route(random(agentRows).slug)
    const headers = new Headers()
    await signHeaders(headers, { method: 'GET', host: 'api.myintell.ai', path }, SECRET)
    return fetch(`${api.url}${path}`, { headers })
  }
  const getAgentWith = (token: string) => () => fetch(`${api.url}/v1/agents/${random(tenantAgents).id}`, { headers: { authorization: `Bearer ${token}` } })

  const scenarios: Array<[string, () => Promise<Response>]> = [
    ['route lookup (signed GET /internal/v1/routes/:slug)', routeLookup],
    ['GET /v1/agents/:id with an API key', getAgentWith(apiKey)],
    ['GET /v1/agents/:id with a session JWT (ES256 via JWKS)', getAgentWith(session.token)],
  ]
  console.log(`\n${'scenario'.padEnd(58)} ${'mode'.padEnd(14)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(8)}`)
  for (const [name, request] of scenarios) {
    for (let i = 0; i < 200; i++) await check(await request()) // warm-up: JIT, pool, JWKS cache
    const sequential = await measure(request, SEQUENTIAL_REQUESTS, 1)
    const concurrent = await measure(request, CONCURRENT_REQUESTS, CONCURRENCY)
    for (const [mode, r] of [['sequential', sequential], [`${CONCURRENCY} in flight`, concurrent]] as const) {
      console.log(`${name.padEnd(58)} ${mode.padEnd(14)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.rps.toFixed(0).padStart(8)}`)
    }
  }
  console.log('\n(client and server share this process and its 2 cores; latencies are end to end over loopback HTTP)')
} finally {
  await api.close()
  await rm(dataDir, { recursive: true, force: true })
}

async function check(response: Response): Promise<void> {
  if (response.status !== 200) throw new Error(`unexpected ${response.status}: ${await response.text()}`)
  await response.arrayBuffer()
}

async function measure(request: () => Promise<Response>, total: number, concurrency: number) {
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next++
      const t0 = performance.now()
      await check(await request())
      latencies.push(performance.now() - t0)
    }
  }))
  const elapsedMs = performance.now() - started
  latencies.sort((x, y) => x - y)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!
  return { p50: at(0.5), p99: at(0.99), rps: (total / elapsedMs) * 1000 }
}
