// /metrics on prom-client against the real cluster-api and the real local driver (real runtime processes, a warm
// pool of one): after wakes it shows the wake histogram by driver and warm-pool outcome, the wake and failure counters,
// the status long-poll and request-duration histograms by route family, and the process's default metrics; and no
// label anywhere names a tenant, an agent or a path with an id.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { createApp } from '../../cluster-api/src/app.ts'
import type { ApiDeps } from '../../cluster-api/src/context.ts'
import type { AgentSecrets } from '../../cluster-api/src/secrets/agent-secrets.ts'
import { egressPolicy } from '../../wire/egress.ts'
import { loadConfig } from '../../cluster-api/src/config.ts'
import { createDriver } from '../../cluster-api/src/drivers/index.ts'
import type { LocalDriver } from '../../cluster-api/src/drivers/local/index.ts'
import { tenantDatabaseProvisioner } from '../../cluster-api/src/tenant-databases.ts'
import { Workloads } from '../../cluster-api/src/workloads/workloads.ts'
import { INTERNAL_PATHS, type WorkloadStatus } from '../../wire/internal-api.ts'
import { adminDatabaseUrl, createTestDatabase } from '../support/db.ts'
import { waitFor } from '../local-driver/support.ts'
import { createOwner, createTestAgent, startTestApi, TEST_SIGNING_SECRET, type TestApi } from './support/harness.ts'

let dataDir: string
let api: TestApi

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'myintell-metrics-'))
  const config = loadConfig({
    EDGE_SIGNING_SECRET: TEST_SIGNING_SECRET,
    DATABASE_URL: await createTestDatabase('metrics'),
    TENANT_DB_ADMIN_URL: adminDatabaseUrl(),
    MYINTELL_DATA_DIR: dataDir,
    MYINTELL_INGRESS_PORT: '0',
    MYINTELL_WARM_POOL_SIZE: '1',
  })
  const driver = config.driver
  if (driver?.name !== 'local') throw new Error('the default driver is the local one')
  api = await startTestApi({
    databaseUrl: config.databaseUrl,
    tenantDatabases: tenantDatabaseProvisioner(config.tenantDatabases),
    driver: ({ url }) => createDriver({ driver, signingSecret: config.signingSecret, platformUrl: url, handleSignals: false }),
  })
}, 60_000)

afterAll(async () => {
  await api?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function scrape(): Promise<string> {
  const response = await fetch(`${api.url}/metrics`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toContain('text/plain')
  return response.text()
}

/** The value of one sample, by its exact name and labels as written; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('GET /metrics', { timeout: 90_000 }, () => {
  it('counts wakes, failures and their durations, with no tenant, agent or id in any label', async () => {
    const owner = await createOwner(api, 'metrics')
    const ada = await createTestAgent(api, owner.token, 'metrics-ada')
    const paused = await createTestAgent(api, owner.token, 'metrics-paused', { desiredState: 'paused' })
    const driver = api.driver as LocalDriver
    await waitFor('the warm pool to fill', () => driver.pids().warm.length === 1)

    expect((await api.internal('POST', INTERNAL_PATHS.wake(ada.id))).status).toBe(202)
    const status = await api.internal('GET', `${INTERNAL_PATHS.status(ada.id)}?waitMs=30000`)
    expect(((await status.json()) as WorkloadStatus).ready).toBe(true)
    expect((await api.internal('POST', INTERNAL_PATHS.wake(paused.id))).status).toBe(409)

    const text = await scrape()
    expect(sample(text, 'myintell_wakes_total{driver="local"}')).toBe(1)
    expect(sample(text, 'myintell_wake_failures_total{driver="local",reason="paused"}')).toBe(1)
    expect(sample(text, 'myintell_agent_starts_total{driver="local",warm_pool="hit"}')).toBe(1)
    expect(sample(text, 'myintell_wake_duration_seconds_count{driver="local",warm_pool="hit"}')).toBe(1)
    expect(sample(text, 'myintell_wake_duration_seconds_sum{driver="local",warm_pool="hit"}')).toBeGreaterThan(0)
    expect(text).toContain('# TYPE myintell_wake_duration_seconds histogram')
    expect(sample(text, 'myintell_status_wait_seconds_count{outcome="ready"}')).toBe(1)
    expect(sample(text, 'myintell_http_requests_total{route="internal_wake",status="2xx"}')).toBe(1)
    expect(sample(text, 'myintell_http_requests_total{route="internal_wake",status="4xx"}')).toBe(1)
    expect(sample(text, 'myintell_http_request_duration_seconds_count{route="internal_status",status="2xx"}')).toBe(1)
    expect(sample(text, 'myintell_http_requests_total{route="v1",status="2xx"}')).toBeGreaterThanOrEqual(3)
    expect(sample(text, 'myintell_agents{state="ready"}')).toBe(1)

    // No label value is an id, a slug or a path: only the fixed families, states and outcomes.
    for (const secret of [owner.tenantId, ada.id, paused.id, 'metrics-ada', 'metrics-tenant', '/internal/']) expect(text).not.toContain(secret)
    const labelNames = new Set([...text.matchAll(/[{,]([a-z_]+)="/g)].map((m) => m[1]))
    expect([...labelNames].filter((name) => /tenant|agent|slug|path|user/.test(name!))).toEqual([])
  })

  it('keeps the families fixed whatever path a client sends', async () => {
    await fetch(`${api.url}/v1/not-a-route-${crypto.randomUUID()}`)
    await fetch(`${api.url}/internal/v1/${crypto.randomUUID()}`)
    const text = await scrape()
    expect(text).not.toMatch(/route="[^"]*[0-9a-f]{8}-/)
    expect(sample(text, 'myintell_http_requests_total{route="internal_other",status="4xx"}')).toBe(1)
  })

  it('has the process, GC and event-loop metrics of prom-client', async () => {
    const text = await scrape()
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'process_uptime_seconds']) {
      expect(text).toMatch(new RegExp(`^${name} `, 'm'))
    }
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram')
  })

  it('gives every app its own registry: two apps in one process do not collide', async () => {
    const deps: ApiDeps = {
      db: api.db, driver: null, tenantDatabases: null, signingSecret: TEST_SIGNING_SECRET, idleTimeoutMs: 0, scalerToken: null,
      runtimeSecrets: {}, logger: pino({ level: 'silent' }),
      // Neither is reached: these apps mount no /v1 and have no driver.
      secrets: {} as AgentSecrets, egress: { policy: egressPolicy(undefined), resolve: async () => [] }, workspaceRoot: null,
    }
    const one = createApp({ deps, workloads: new Workloads(deps) })
    const two = createApp({ deps, workloads: new Workloads(deps) })
    // No /v1 is mounted on these: a 404, counted by the app that answered it only.
    expect((await one.request('/v1/health')).status).toBe(404)
    const first = await (await one.request('/metrics')).text()
    const second = await (await two.request('/metrics')).text()
    expect(sample(first, 'myintell_http_requests_total{route="v1",status="4xx"}')).toBe(1)
    expect(sample(second, 'myintell_http_requests_total{route="v1",status="4xx"}')).toBeUndefined()
  })
})
