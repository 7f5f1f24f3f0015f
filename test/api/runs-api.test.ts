// Runs and schedules on a real cluster-api, the real local driver and real runtimes with the offline `local` model:
// a run wakes a sleeping superfriend and succeeds with its reply, its turn lives in a conversation, its events stream
// and resume with Last-Event-ID, a one-shot schedule fires on a sleeping agent, and bad input changes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOwner, createTestAgent } from './support/harness.ts'
import { readEvents, startRunsPlatform, waitForRun, waitUntil, type RunBody, type RunsPlatform } from './support/runs.ts'

const MAX_SCHEDULES = 3
let platform: RunsPlatform
let owner: { token: string; tenantId: string }

beforeAll(async () => {
  platform = await startRunsPlatform({ schedulesPerAgent: MAX_SCHEDULES })
  owner = await createOwner(platform.api, 'runner')
}, 60_000)

afterAll(async () => {
  await platform?.close()
})

async function createRun(agentId: string, body: unknown, token = owner.token): Promise<Response> {
  return platform.api.v1('POST', `/v1/agents/${agentId}/runs`, { token, body })
}

describe('runs', () => {
  it('queues a run (202) that wakes a sleeping superfriend and succeeds with its reply', async () => {
    const agent = await createTestAgent(platform.api, owner.token, 'runs-ada')
    const before = await (await platform.api.v1('GET', `/v1/agents/${agent.id}`, { token: owner.token })).json() as { workloadState: string }
    expect(before.workloadState).toBe('cold')

    const response = await createRun(agent.id, { input: 'water the plants' })
    expect(response.status).toBe(202)
    const queued = (await response.json()) as RunBody
    expect(queued).toMatchObject({ status: 'queued', trigger: 'api', output: null })

    const run = await waitForRun(platform.api, owner.token, agent.id, queued.id)
    expect(run.status).toBe('succeeded')
    expect(run.output).toContain('You said: "water the plants"')
    expect(run.attempts).toBe(1)
    expect(run.usage?.outputTokens).toBeGreaterThan(0)
    expect(run.conversationId).toEqual(expect.any(String))

    // The turn is stored in a conversation: a second run that continues it is the conversation's second turn.
    const next = (await (await createRun(agent.id, { input: 'and the roses', conversationId: run.conversationId })).json()) as RunBody
    const second = await waitForRun(platform.api, owner.token, agent.id, next.id)
    expect(second.status).toBe('succeeded')
    expect(second.conversationId).toBe(run.conversationId)
    expect(second.output).toContain('(turn 2)')
  })

  it('lists runs newest first with filters and cursor pages', async () => {
    const agent = await createTestAgent(platform.api, owner.token, 'runs-list')
    const ids: string[] = []
    for (const input of ['one', 'two', 'three']) ids.push(((await (await createRun(agent.id, { input })).json()) as RunBody).id)
    for (const id of ids) await waitForRun(platform.api, owner.token, agent.id, id)
    const page1 = await (await platform.api.v1('GET', `/v1/agents/${agent.id}/runs?limit=2`, { token: owner.token })).json() as { items: RunBody[]; nextCursor: string }
    expect(page1.items.map((r) => r.id)).toEqual([ids[2], ids[1]])
    const page2 = await (await platform.api.v1('GET', `/v1/agents/${agent.id}/runs?limit=2&cursor=${page1.nextCursor}`, { token: owner.token })).json() as { items: RunBody[]; nextCursor: string | null }
    expect(page2.items.map((r) => r.id)).toEqual([ids[0]])
    expect(page2.nextCursor).toBeNull()
    const bySchedule = await (await platform.api.v1('GET', `/v1/agents/${agent.id}/runs?trigger=schedule`, { token: owner.token })).json() as { items: RunBody[] }
    expect(bySchedule.items).toEqual([])
    const succeeded = await (await platform.api.v1('GET', `/v1/agents/${agent.id}/runs?status=succeeded`, { token: owner.token })).json() as { items: RunBody[] }
    expect(succeeded.items).toHaveLength(3)
  })

  it('streams a run\'s events with ids, and a resumed stream returns exactly the missing ones', async () => {
    const agent = await createTestAgent(platform.api, owner.token, 'runs-events')
    const run = (await (await createRun(agent.id, { input: 'tell me a long story about seven blue whales' })).json()) as RunBody
    const all = await readEvents(platform.api, owner.token, agent.id, run.id)
    expect(all.map((e) => Number(e.id))).toEqual(all.map((_e, i) => i + 1))
    expect(all[0]!.event).toBe('attempt')
    expect(all.map((e) => e.event)).toContain('delta')
    expect(all.at(-1)).toMatchObject({ event: 'status', data: { status: 'succeeded' } })
    const text = all.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text).join('')
    expect(text).toBe((await waitForRun(platform.api, owner.token, agent.id, run.id)).output)

    // A client that saw the first three events and reconnects.
    const firstThree = await readEvents(platform.api, owner.token, agent.id, run.id, { stopAfter: 3 })
    expect(firstThree).toEqual(all.slice(0, 3))
    const rest = await readEvents(platform.api, owner.token, agent.id, run.id, { lastEventId: firstThree.at(-1)!.id })
    expect(rest).toEqual(all.slice(3))
  })

  it('refuses a malformed Last-Event-ID with 422', async () => {
    const agent = await createTestAgent(platform.api, owner.token, 'runs-bad-resume')
    const run = (await (await createRun(agent.id, { input: 'hi' })).json()) as RunBody
    const response = await platform.api.v1('GET', `/v1/agents/${agent.id}/runs/${run.id}/events`, { token: owner.token, headers: { 'last-event-id': 'abc' } })
    expect(response.status).toBe(422)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
  })

  it('refuses bad run input with 422 and queues nothing', async () => {
    const agent = await createTestAgent(platform.api, owner.token, 'runs-bad-input')
    for (const body of [{}, { input: '' }, { input: 'x', extra: 1 }, { input: 42 }]) {
      const response = await createRun(agent.id, body)
      expect(response.status).toBe(422)
      expect(response.headers.get('content-type')).toContain('application/problem+json')
    }
    const list = await (await platform.api.v1('GET', `/v1/agents/${agent.id}/runs`, { token: owner.token })).json() as { items: unknown[] }
    expect(list.items).toEqual([])
  })

  it('answers 409 for a run or schedule of a paused agent, 404 for another tenant\'s agent', async () => {
    const paused = await createTestAgent(platform.api, owner.token, 'runs-paused', { desiredState: 'paused' })
    const run = await createRun(paused.id, { input: 'hi' })
    expect(run.status).toBe(409)
    expect(((await run.json()) as { code: string }).code).toBe('agent-paused')
    const schedule = await platform.api.v1('POST', `/v1/agents/${paused.id}/schedules`, { token: owner.token, body: { input: 'hi', every: '5m' } })
    expect(schedule.status).toBe(409)

    const agent = await createTestAgent(platform.api, owner.token, 'runs-private')
    const mine = (await (await createRun(agent.id, { input: 'secret' })).json()) as RunBody
    const stranger = await createOwner(platform.api, 'stranger')
    expect((await createRun(agent.id, { input: 'hi' }, stranger.token)).status).toBe(404)
    expect((await platform.api.v1('GET', `/v1/agents/${agent.id}/runs/${mine.id}`, { token: stranger.token })).status).toBe(404)
    expect((await platform.api.v1('GET', `/v1/agents/${agent.id}/runs/${mine.id}/events`, { token: stranger.token })).status).toBe(404)
    expect((await platform.api.v1('POST', `/v1/agents/${agent.id}/runs/${mine.id}/cancel`, { token: stranger.token })).status).toBe(404)
    await waitForRun(platform.api, owner.token, agent.id, mine.id)
  })

  it('cancels a queued run; a finished run cannot be cancelled (409)', async () => {
    const agent = await createTestAgent(platform.api, owner.token, 'runs-cancel')
    const run = (await (await createRun(agent.id, { input: 'hi' })).json()) as RunBody
    const cancel = await platform.api.v1('POST', `/v1/agents/${agent.id}/runs/${run.id}/cancel`, { token: owner.token })
    const done = await waitForRun(platform.api, owner.token, agent.id, run.id)
    if (cancel.status === 200) {
      expect(done.status).toBe('cancelled')
      const events = await readEvents(platform.api, owner.token, agent.id, run.id)
      expect(events.at(-1)).toMatchObject({ event: 'status', data: { status: 'cancelled' } })
    } else {
      // The run was quicker than the cancel.
      expect(cancel.status).toBe(409)
      expect(done.status).toBe('succeeded')
    }
    const again = await platform.api.v1('POST', `/v1/agents/${agent.id}/runs/${run.id}/cancel`, { token: owner.token })
    expect(again.status).toBe(409)
  })
})

describe('schedules', () => {
  it('fires a one-shot schedule on a sleeping superfriend, which wakes, and the run succeeds with its output', async () => {
    const agent = await createTestAgent(platform.api, owner.token, 'sched-once')
    const at = new Date(Date.now() + 1_500).toISOString()
    const created = await platform.api.v1('POST', `/v1/agents/${agent.id}/schedules`, { token: owner.token, body: { input: 'remind me of the dentist', at } })
    expect(created.status).toBe(201)
    const schedule = (await created.json()) as { id: string; nextRunAt: string; kind: string }
    expect(schedule).toMatchObject({ kind: 'at', nextRunAt: at })
    const state = await (await platform.api.v1('GET', `/v1/agents/${agent.id}`, { token: owner.token })).json() as { workloadState: string }
    expect(state.workloadState).toBe('cold')

    const fired = await waitUntil('the schedule to fire', async () => {
      const body = await (await platform.api.v1('GET', `/v1/agents/${agent.id}/schedules/${schedule.id}`, { token: owner.token })).json() as { lastRunId: string | null; nextRunAt: string | null }
      return body.lastRunId ? body : null
    })
    expect(fired.nextRunAt).toBeNull()
    const run = await waitForRun(platform.api, owner.token, agent.id, fired.lastRunId!)
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'schedule', scheduleId: schedule.id })
    expect(run.output).toContain('remind me of the dentist')
    const awake = await (await platform.api.v1('GET', `/v1/agents/${agent.id}`, { token: owner.token })).json() as { workloadState: string }
    expect(awake.workloadState).toBe('ready')
  })

  it('shows the next fire of cron and interval schedules, pauses, resumes and deletes', async () => {
    const agent = await createTestAgent(platform.api, owner.token, 'sched-crud')
    const cron = await platform.api.v1('POST', `/v1/agents/${agent.id}/schedules`, { token: owner.token, body: { input: 'morning news', cron: '0 9 * * *', timezone: 'Europe/Berlin' } })
    expect(cron.status).toBe(201)
    const body = (await cron.json()) as { id: string; nextRunAt: string }
    const next = new Date(body.nextRunAt)
    expect(next.getTime()).toBeGreaterThan(Date.now())
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('09:00')

    const every = (await (await platform.api.v1('POST', `/v1/agents/${agent.id}/schedules`, { token: owner.token, body: { input: 'check', every: '15m' } })).json()) as { id: string; every: string; nextRunAt: string }
    expect(every.every).toBe('15m')
    expect(new Date(every.nextRunAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000)

    const paused = await platform.api.v1('PATCH', `/v1/agents/${agent.id}/schedules/${body.id}`, { token: owner.token, body: { paused: true } })
    expect(await paused.json()).toMatchObject({ paused: true, nextRunAt: null })
    const resumed = await platform.api.v1('PATCH', `/v1/agents/${agent.id}/schedules/${body.id}`, { token: owner.token, body: { paused: false, cron: '30 7 * * 1' } })
    const resumedBody = (await resumed.json()) as { paused: boolean; cron: string; nextRunAt: string }
    expect(resumedBody).toMatchObject({ paused: false, cron: '30 7 * * 1' })
    expect(new Date(resumedBody.nextRunAt).getUTCDay()).toBe(1)

    const list = await (await platform.api.v1('GET', `/v1/agents/${agent.id}/schedules`, { token: owner.token })).json() as { items: Array<{ id: string }> }
    expect(list.items.map((s) => s.id)).toEqual([body.id, every.id])
    expect((await platform.api.v1('DELETE', `/v1/agents/${agent.id}/schedules/${every.id}`, { token: owner.token })).status).toBe(204)
    expect((await platform.api.v1('GET', `/v1/agents/${agent.id}/schedules/${every.id}`, { token: owner.token })).status).toBe(404)
  })

  it.each([
    [{ input: 'x', cron: 'every day at nine' }, 'cron'],
    [{ input: 'x', cron: '* * * * * *' }, 'cron'],
    [{ input: 'x', cron: '0 9 * * *', timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    [{ input: 'x', at: new Date(Date.now() - 60_000).toISOString() }, 'at'],
    [{ input: 'x', at: 'tomorrow' }, 'at'],
    [{ input: 'x', every: '30s' }, 'every'],
    [{ input: 'x', every: 'often' }, 'every'],
    [{ input: 'x', cron: '0 9 * * *', every: '5m' }, 'cron'],
    [{ input: 'x' }, 'cron'],
  ])('refuses %j with 422 naming %s, storing nothing', async (body, field) => {
    const agent = await createTestAgent(platform.api, owner.token, `sched-bad-${Math.random().toString(36).slice(2, 8)}`)
    const response = await platform.api.v1('POST', `/v1/agents/${agent.id}/schedules`, { token: owner.token, body })
    expect(response.status).toBe(422)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
    expect(JSON.stringify(await response.json())).toContain(field)
    const list = await (await platform.api.v1('GET', `/v1/agents/${agent.id}/schedules`, { token: owner.token })).json() as { items: unknown[] }
    expect(list.items).toEqual([])
  })

  it(`refuses more than ${MAX_SCHEDULES} schedules per agent with 422`, async () => {
    const agent = await createTestAgent(platform.api, owner.token, 'sched-bound')
    for (let i = 0; i < MAX_SCHEDULES; i++) {
      expect((await platform.api.v1('POST', `/v1/agents/${agent.id}/schedules`, { token: owner.token, body: { input: `n${i}`, every: '1h' } })).status).toBe(201)
    }
    const over = await platform.api.v1('POST', `/v1/agents/${agent.id}/schedules`, { token: owner.token, body: { input: 'one too many', every: '1h' } })
    expect(over.status).toBe(422)
    expect(await over.json()).toMatchObject({ code: 'too-many-schedules' })
    const list = await (await platform.api.v1('GET', `/v1/agents/${agent.id}/schedules`, { token: owner.token })).json() as { items: unknown[] }
    expect(list.items).toHaveLength(MAX_SCHEDULES)
  })
})
