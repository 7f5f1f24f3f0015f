// Durability of runs and schedules with real cluster-apis on one database, the real local driver and runtimes:
// a schedule created before a restart fires after it exactly once, missed fires run once, two cluster-api instances
// fire each schedule once and pick each run once, a run whose agent cannot wake is retried and then failed with the
// reason, and a run left unfinished by a stopped process is taken up again on recovery.
//
// "Two processes" here are two cluster-api app instances in this test process, each with its own pg-boss, HTTP
// server and local driver, sharing only the PostgreSQL database — as two processes would.

import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { createOwner, createTestAgent, type TestApi } from './support/harness.ts'
import { readEvents, startRunsPlatform, waitForRun, waitUntil, type RunBody, type RunsPlatform } from './support/runs.ts'

let platforms: RunsPlatform[] = []
afterEach(async () => {
  await Promise.all(platforms.map((p) => p.close()))
  platforms = []
})

async function platform(...args: Parameters<typeof startRunsPlatform>): Promise<RunsPlatform> {
  const started = await startRunsPlatform(...args)
  platforms.push(started)
  return started
}

async function sql<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text, values)).rows as T[]
  } finally {
    await client.end()
  }
}

async function runsOf(api: TestApi, token: string, agentId: string): Promise<RunBody[]> {
  const body = await (await api.v1('GET', `/v1/agents/${agentId}/runs?limit=100`, { token })).json() as { items: RunBody[] }
  return body.items
}

async function schedule(api: TestApi, token: string, agentId: string, body: unknown): Promise<{ id: string; nextRunAt: string | null }> {
  const response = await api.v1('POST', `/v1/agents/${agentId}/schedules`, { token, body })
  if (response.status !== 201) throw new Error(`schedule: ${response.status} ${await response.text()}`)
  return (await response.json()) as { id: string; nextRunAt: string | null }
}

describe('durable schedules', () => {
  it('fires a schedule created before a restart of the cluster-api after it, exactly once', async () => {
    const first = await platform()
    const owner = await createOwner(first.api, 'restart')
    const agent = await createTestAgent(first.api, owner.token, 'restart-ada')
    const once = await schedule(first.api, owner.token, agent.id, { input: 'after the restart', at: new Date(Date.now() + 2_000).toISOString() })
    // A 1-minute interval that missed ten fires while the platform was down.
    const every = await schedule(first.api, owner.token, agent.id, { input: 'every minute', every: '1m' })
    await first.api.close()
    await sql(first.databaseUrl, `update schedules set next_run_at = now() - interval '10 minutes' where id = $1`, [every.id])
    await new Promise((r) => setTimeout(r, 2_200)) // the one-shot's time passes while nothing runs

    const second = await first.startAnother()
    const fired = await waitUntil('both schedules to fire', async () => {
      const runs = await runsOf(second, owner.token, agent.id)
      return runs.length >= 2 && runs.every((r) => r.status === 'succeeded') ? runs : null
    })
    await new Promise((r) => setTimeout(r, 1_000)) // ticks go on: nothing fires again
    const runs = await runsOf(second, owner.token, agent.id)
    expect(runs).toHaveLength(2)
    expect(runs.filter((r) => r.scheduleId === once.id)).toHaveLength(1)
    expect(runs.filter((r) => r.scheduleId === every.id)).toHaveLength(1)
    expect(fired.find((r) => r.scheduleId === once.id)?.output).toContain('after the restart')
    const [row] = await sql<{ next_run_at: Date }>(first.databaseUrl, 'select next_run_at from schedules where id = $1', [every.id])
    expect(row!.next_run_at.getTime()).toBeGreaterThan(Date.now())
  }, 90_000)

  it('fires each schedule once with two cluster-api instances on one database, and each run is picked once', async () => {
    const a = await platform({ scheduleTickMs: 50 })
    const b = await a.startAnother({ scheduleTickMs: 50 })
    const owner = await createOwner(a.api, 'pair')
    const agent = await createTestAgent(a.api, owner.token, 'pair-ada')
    const at = new Date(Date.now() + 1_500).toISOString()
    const ids: string[] = []
    for (let i = 0; i < 6; i++) ids.push((await schedule(i % 2 ? b : a.api, owner.token, agent.id, { input: `fire ${i}`, at })).id)
    const runs = await waitUntil('every schedule to fire and its run to end', async () => {
      const all = await runsOf(a.api, owner.token, agent.id)
      return all.length >= ids.length && all.every((r) => r.status === 'succeeded') ? all : null
    })
    await new Promise((r) => setTimeout(r, 500))
    expect((await runsOf(b, owner.token, agent.id))).toHaveLength(ids.length)
    for (const id of ids) expect(runs.filter((r) => r.scheduleId === id)).toHaveLength(1)
    for (const run of runs) expect(run.attempts).toBe(1)
    for (const run of runs) {
      const events = await readEvents(a.api, owner.token, agent.id, run.id)
      expect(events.filter((e) => e.event === 'attempt')).toHaveLength(1)
    }
  }, 60_000)

  it('gives each due fire to exactly one of two instances ticking at the same moment', async () => {
    const a = await platform({ scheduleTickMs: 0, concurrency: 0 })
    const b = await a.startAnother({ scheduleTickMs: 0, concurrency: 0 })
    const owner = await createOwner(a.api, 'race')
    const agent = await createTestAgent(a.api, owner.token, 'race-ada')
    for (let i = 0; i < 20; i++) await schedule(a.api, owner.token, agent.id, { input: `n${i}`, every: '1h' })
    await sql(a.databaseUrl, `update schedules set next_run_at = now() - interval '1 second'`)
    const now = new Date()
    const [firedA, firedB] = await Promise.all([a.api.runs!.scheduler.tick(now), b.runs!.scheduler.tick(now)])
    expect(firedA + firedB).toBe(20)
    const [{ count }] = await sql<{ count: string }>(a.databaseUrl, `select count(*) from runs where trigger = 'schedule'`) as [{ count: string }]
    expect(Number(count)).toBe(20)
    expect(await Promise.all([a.api.runs!.scheduler.tick(now), b.runs!.scheduler.tick(now)])).toEqual([0, 0])
  })
})

describe('durable runs', () => {
  it('retries a run whose agent cannot wake, then fails it with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myintell-broken-runtime-'))
    const entry = join(dir, 'runtime.mjs')
    writeFileSync(entry, 'process.exit(3)\n') // a runtime that dies at once: the agent never becomes ready
    const broken = await platform({ wakeTimeoutMs: 1_500, maxAttempts: 2 }, { MYINTELL_RUNTIME_ENTRY: entry })
    const owner = await createOwner(broken.api, 'broken')
    const agent = await createTestAgent(broken.api, owner.token, 'broken-ada')
    const queued = (await (await broken.api.v1('POST', `/v1/agents/${agent.id}/runs`, { token: owner.token, body: { input: 'hello?' } })).json()) as RunBody
    const run = await waitForRun(broken.api, owner.token, agent.id, queued.id, 60_000)
    expect(run.status).toBe('failed')
    expect(run.attempts).toBe(2)
    expect(run.error?.code).toBe('agent-did-not-wake')
    expect(run.error?.message).toMatch(/not ready|wake failed|status failed/)
    const events = await readEvents(broken.api, owner.token, agent.id, run.id)
    expect(events.map((e) => e.event)).toEqual(['attempt', 'retry', 'attempt', 'status'])
    expect(events.at(-1)!.data).toMatchObject({ status: 'failed', error: { code: 'agent-did-not-wake' } })
  }, 90_000)

  it('takes up a run left running by a stopped cluster-api, and fails one whose job is gone for good', async () => {
    // This instance queues runs but works none: they are left behind as a crashed process would leave them.
    const first = await platform({ concurrency: 0, scheduleTickMs: 0 })
    const owner = await createOwner(first.api, 'crash')
    const agent = await createTestAgent(first.api, owner.token, 'crash-ada')
    const post = async (input: string) => ((await (await first.api.v1('POST', `/v1/agents/${agent.id}/runs`, { token: owner.token, body: { input } })).json()) as RunBody).id
    const leftRunning = await post('left running')
    const lost = await post('lost for good')
    await first.api.close()
    // As a dead process leaves them: one marked running mid-attempt, one whose job already ended.
    await sql(first.databaseUrl, `update runs set status = 'running', attempts = 1, created_at = now() - interval '5 minutes'`)
    await sql(first.databaseUrl, `update pgboss.job set state = 'completed', completed_on = now() where id = $1`, [lost])

    const second = await first.startAnother({ concurrency: 2, scheduleTickMs: 0 })
    const resumed = await waitForRun(second, owner.token, agent.id, leftRunning)
    expect(resumed.status).toBe('succeeded')
    expect(resumed.output).toContain('left running')
    expect(resumed.attempts).toBe(2)
    const failed = await waitForRun(second, owner.token, agent.id, lost)
    expect(failed.status).toBe('failed')
    expect(failed.error?.code).toBe('run-lost')
    const stillRunning = await sql(first.databaseUrl, `select id from runs where status in ('queued', 'running')`)
    expect(stillRunning).toEqual([])
  })
})
