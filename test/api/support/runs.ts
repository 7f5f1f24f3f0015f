// Helpers for the runs and schedules tests: a real cluster-api with the real local driver (runtimes as child
// processes, the `local` model) on a database of its own, and readers of runs and their SSE events.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type RunsSettings } from '../../../cluster-api/src/config.ts'
import { createDriver } from '../../../cluster-api/src/drivers/index.ts'
import { tenantDatabaseProvisioner } from '../../../cluster-api/src/tenant-databases.ts'
import { adminDatabaseUrl, createTestDatabase } from '../../support/db.ts'
import { startTestApi, TEST_SIGNING_SECRET, type TestApi } from './harness.ts'

export interface RunsPlatform {
  api: TestApi
  databaseUrl: string
  /** Another cluster-api on the same database (a restart, or a second process). */
  startAnother(runs?: Partial<RunsSettings>): Promise<TestApi>
  close(): Promise<void>
}

/** `runtimeEnv`: extra environment of every runtime the local driver starts (MYINTELL_USAGE_FLUSH_INTERVAL_MS, …). */
export async function startRunsPlatform(runs: Partial<RunsSettings> = {}, env: Record<string, string> = {}, databaseUrl?: string,
  runtimeEnv: Record<string, string> = {}): Promise<RunsPlatform> {
  const url = databaseUrl ?? await createTestDatabase('runs')
  const dataDirs: string[] = []
  const started: TestApi[] = []
  const start = async (settings: Partial<RunsSettings>) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'myintell-runs-'))
    dataDirs.push(dataDir)
    const config = loadConfig({
      EDGE_SIGNING_SECRET: TEST_SIGNING_SECRET, DATABASE_URL: url, TENANT_DB_ADMIN_URL: adminDatabaseUrl(), MYINTELL_DATA_DIR: dataDir,
      MYINTELL_INGRESS_PORT: '0', MYINTELL_WARM_POOL_SIZE: '0', ...env,
    })
    const driver = config.driver
    if (driver?.name !== 'local') throw new Error('the default driver is the local one')
    const api = await startTestApi({
      databaseUrl: url,
      tenantDatabases: tenantDatabaseProvisioner(config.tenantDatabases),
      driver: ({ url: platformUrl }) => createDriver({ driver, signingSecret: config.signingSecret, platformUrl, handleSignals: false, runtimeEnv }),
      runs: { ...config.runs, retryDelayS: 0, scheduleTickMs: 200, ...settings },
    })
    started.push(api)
    return api
  }
  const api = await start(runs)
  return {
    api, databaseUrl: url,
    startAnother: (settings = runs) => start(settings),
    close: async () => {
      await Promise.all(started.map((a) => a.close().catch(() => {})))
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface RunBody {
  id: string; status: string; trigger: string; output: string | null; error: { code: string; message: string } | null
  attempts: number; conversationId: string | null; scheduleId: string | null; usage: { inputTokens: number; outputTokens: number } | null
}

export async function getRun(api: TestApi, token: string, agentId: string, runId: string): Promise<RunBody> {
  const response = await api.v1('GET', `/v1/agents/${agentId}/runs/${runId}`, { token })
  if (response.status !== 200) throw new Error(`get run: ${response.status} ${await response.text()}`)
  return (await response.json()) as RunBody
}

export async function waitForRun(api: TestApi, token: string, agentId: string, runId: string, timeoutMs = 45_000): Promise<RunBody> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const run = await getRun(api, token, agentId, runId)
    if (['succeeded', 'failed', 'cancelled'].includes(run.status)) return run
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export interface StreamedEvent { id: string; event: string; data: unknown }

/** Reads the run's event stream to its end (or `stopAfter` events), with the ids the server sent. */
export async function readEvents(api: TestApi, token: string, agentId: string, runId: string, options: { lastEventId?: string; stopAfter?: number } = {}): Promise<StreamedEvent[]> {
  const headers: Record<string, string> = options.lastEventId ? { 'last-event-id': options.lastEventId } : {}
  const abort = new AbortController()
  const response = await fetch(`${api.url}/v1/agents/${agentId}/runs/${runId}/events`, { headers: { ...headers, authorization: `Bearer ${token}` }, signal: abort.signal })
  if (response.status !== 200) throw new Error(`events: ${response.status} ${await response.text()}`)
  const events: StreamedEvent[] = []
  let buffer = ''
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += value
      let end: number
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]))
        if (fields.data === undefined) continue
        events.push({ id: fields.id ?? '', event: fields.event ?? 'message', data: JSON.parse(fields.data) })
        if (options.stopAfter !== undefined && events.length >= options.stopAfter) return events
      }
    }
  } finally {
    abort.abort()
  }
  return events
}
