// AgentGate inside workerd: single-flight wake, bounds, alarms fired deterministically, eviction.

import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { RouteInfo } from '../../../wire/internal-api.ts'
import { fake, gateStub, routeOf, uniqueSlug } from '../../test/fake-platform-client.ts'
import { LOOKUP_TIMEOUT_MS, ROUTE_FRESH_MS, ROUTE_MAX_AGE_MS } from '../budgets.ts'
import type { AgentGate } from './agent-gate.ts'
import { holdShared } from './shared-wait.ts'

/** One request's hold, made as the Worker makes it: a seat (admit), then this isolate's shared wait. */
const hold = (gate: ReturnType<typeof gateStub>, route: RouteInfo) => holdShared(gate, route, false, { keepAlive: () => undefined })

describe('AgentGate', () => {
  it('coalesces concurrent holds into one wake and releases them all when the agent is ready', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('single'), wakeDelayMs: null })
    const gate = gateStub(agent.slug)
    const holds = Array.from({ length: 5 }, () => hold(gate, routeOf(agent)))
    await expect.poll(async () => (await fake.agent(agent.agentId)).wakeCalls).toBe(1)
    expect((await gate.snapshot()).phase).toBe('waking')
    await fake.markReady(agent.agentId)
    const results = await Promise.all(holds)
    for (const r of results) expect(r).toMatchObject({ ok: true, waited: true })
    expect((await fake.agent(agent.agentId)).wakeCalls).toBe(1)
    expect((await gate.snapshot()).phase).toBe('warm')
    expect(await hold(gate, routeOf(agent))).toEqual({ ok: true, waited: false, coldStartMs: 0 })
  })

  it('refuses holds past the bound with 503 and Retry-After instead of queueing them', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('bound'), wakeDelayMs: null })
    const gate = gateStub(agent.slug)
    const held = Array.from({ length: 5 }, () => hold(gate, routeOf(agent)))
    await expect.poll(async () => (await gate.snapshot()).held).toBe(5)
    expect(await hold(gate, routeOf(agent))).toMatchObject({ ok: false, status: 503, code: 'wake-queue-full', retryAfterSeconds: 2 })
    await fake.markReady(agent.agentId)
    for (const r of await Promise.all(held)) expect(r.ok).toBe(true)
  })

  it('answers a wait for a wake it never ran with unknown-wake, and one for an ended wake with its outcome', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('waits'), wakeDelayMs: null })
    const gate = gateStub(agent.slug)
    expect(await gate.waitForWake('no-such-wake')).toEqual({ kind: 'unknown-wake' })
    const admitted = await gate.admit(routeOf(agent))
    if (admitted.kind !== 'seat') throw new Error(`expected a seat, got ${JSON.stringify(admitted)}`)
    expect(await gate.waitForWake(admitted.wakeId, 20)).toEqual({ kind: 'still-waking' })
    await fake.markReady(agent.agentId)
    expect(await gate.waitForWake(admitted.wakeId)).toMatchObject({ kind: 'answer', result: { ok: true, waited: true } })
    // Asked again after the wake ended (an answer that raced the call): the same outcome.
    expect(await gate.waitForWake(admitted.wakeId)).toMatchObject({ kind: 'answer', result: { ok: true, waited: true } })
    expect(await gate.admit(routeOf(agent))).toEqual({ kind: 'answer', result: { ok: true, waited: false, coldStartMs: 0 } })
  })

  it('answers every held request with wake-timeout when the deadline alarm fires', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('timeout'), wakeDelayMs: null })
    const gate = gateStub(agent.slug)
    const holds = Array.from({ length: 3 }, () => hold(gate, routeOf(agent)))
    await expect.poll(async () => (await gate.snapshot()).held).toBe(3)
    expect(await runDurableObjectAlarm(gate)).toBe(true)
    for (const r of await Promise.all(holds)) {
      expect(r).toMatchObject({ ok: false, status: 503, code: 'wake-timeout', retryAfterSeconds: 5 })
    }
    expect((await gate.snapshot()).phase).toBe('cold')
  })

  it('keeps its phase across an eviction', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('evict'), wakeDelayMs: 0 })
    const gate = gateStub(agent.slug)
    expect((await hold(gate, routeOf(agent))).ok).toBe(true)
    await evictDurableObject(gate)
    expect((await gateStub(agent.slug).snapshot()).phase).toBe('warm')
  })

  it('resumes a wake after a reset mid-wake without a second wake call', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('reset'), wakeDelayMs: null })
    const before = gateStub(agent.slug)
    const lost = hold(before, routeOf(agent)).then(() => 'answered', () => 'reset')
    await expect.poll(async () => (await fake.agent(agent.agentId)).wakeCalls).toBe(1)
    await abortAllDurableObjects()
    expect(await lost).toBe('reset')
    const after = gateStub(agent.slug)
    expect((await after.snapshot()).phase).toBe('waking')
    const resumed = hold(after, routeOf(agent))
    await expect.poll(async () => (await fake.agent(agent.agentId)).statusCalls).toBeGreaterThan(1)
    await fake.markReady(agent.agentId)
    expect(await resumed).toMatchObject({ ok: true, waited: true })
    expect((await fake.agent(agent.agentId)).wakeCalls).toBe(1)
  })

  it('goes cold after the idle time, but not while a stream is open', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('idle'), wakeDelayMs: 0 })
    const gate = gateStub(agent.slug)
    await hold(gate, routeOf(agent))
    const delta = { agentId: agent.agentId, tenantId: agent.tenantId, requests: 1, bytesIn: 0, bytesOut: 0, messages: 0, streamsOpened: 1, streamsClosed: 0, lastActivityAt: Date.now() }
    await gate.report(delta)
    // Flush and idle-check alarms, fired early and deterministically: the open stream keeps it warm.
    for (let i = 0; i < 3; i++) await runDurableObjectAlarm(gate)
    expect((await gate.snapshot()).phase).toBe('warm')
    await gate.report({ ...delta, requests: 0, streamsOpened: 0, streamsClosed: 1 })
    await runInDurableObject(gate, async (_instance: AgentGate, state) => {
      // Skip the clock forward: pretend the last activity was long ago.
      const stored = await state.storage.get<{ lastActivityAt: number }>('state')
      await state.storage.put('state', { ...stored, lastActivityAt: 0 })
    })
    await evictDurableObject(gate)
    for (let i = 0; i < 3 && (await gateStub(agent.slug).snapshot()).phase === 'warm'; i++) await runDurableObjectAlarm(gateStub(agent.slug))
    expect((await gateStub(agent.slug).snapshot()).phase).toBe('cold')
  })

  it('asks the platform again when a request comes after the idle time, even before the idle alarm ran', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('overdue'), wakeDelayMs: 0 })
    await hold(gateStub(agent.slug), routeOf(agent))
    const wakesBefore = (await fake.agent(agent.agentId)).wakeCalls
    await runInDurableObject(gateStub(agent.slug), async (_instance: AgentGate, state) => {
      const stored = await state.storage.get<{ lastActivityAt: number }>('state')
      await state.storage.put('state', { ...stored, lastActivityAt: 0 })
    })
    await evictDurableObject(gateStub(agent.slug))
    const gate = gateStub(agent.slug)
    expect((await gate.snapshot()).phase).toBe('warm')
    expect(await gate.resolve(agent.slug)).toMatchObject({ warm: false })
    expect(await hold(gate, routeOf(agent))).toMatchObject({ ok: true })
    expect((await fake.agent(agent.agentId)).wakeCalls).toBe(wakesBefore + 1)
  })

  it('runs its idle clock from when the traffic happened, not from when a paced report arrived', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('late'), wakeDelayMs: 0 })
    const gate = gateStub(agent.slug)
    await hold(gate, routeOf(agent))
    const happenedAt = Date.now()
    await scheduler.wait(20) // the isolate's push comes later than the request it counts
    await gate.report({
      agentId: agent.agentId, tenantId: agent.tenantId, requests: 1, bytesIn: 0, bytesOut: 0, messages: 0,
      streamsOpened: 0, streamsClosed: 0, lastActivityAt: happenedAt,
    })
    expect((await gate.snapshot()).lastActivityAt).toBeLessThanOrEqual(happenedAt)
  })
})

describe('route cache', () => {
  /** Pretends the gate fetched its route `ageMs` ago (stored, then reloaded by an eviction). */
  async function ageRoute(slug: string, ageMs: number) {
    await runInDurableObject(gateStub(slug), async (_instance: AgentGate, state) => {
      const stored = await state.storage.get<{ fetchedAt: number }>('route')
      await state.storage.put('route', { ...stored, fetchedAt: Date.now() - ageMs })
    })
    await evictDurableObject(gateStub(slug))
  }

  it('answers a stale route at once while one background lookup brings the change', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('visibility'), visibility: 'public', running: true })
    expect((await gateStub(agent.slug).resolve(agent.slug)).route).toMatchObject({ visibility: 'public' })
    await fake.updateAgent(agent.agentId, { visibility: 'private' })
    // Fresh: the cached copy, no lookup.
    expect((await gateStub(agent.slug).resolve(agent.slug)).route).toMatchObject({ visibility: 'public' })
    await ageRoute(agent.slug, ROUTE_FRESH_MS + 1)
    expect((await gateStub(agent.slug).resolve(agent.slug)).route).toMatchObject({ visibility: 'public' })
    await expect.poll(async () => (await gateStub(agent.slug).resolve(agent.slug)).route?.visibility).toBe('private')
  })

  it('looks the route up before answering once its copy is too old to use', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('moved'), visibility: 'public', running: true })
    await gateStub(agent.slug).resolve(agent.slug)
    await fake.updateAgent(agent.agentId, { tenantId: 'ten_new_owner' })
    await ageRoute(agent.slug, ROUTE_MAX_AGE_MS + 1)
    expect((await gateStub(agent.slug).resolve(agent.slug)).route).toMatchObject({ tenantId: 'ten_new_owner' })
  })

  it('goes cold when a route lookup says the driver no longer runs the agent, and holds the next request for a wake', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('slept'), visibility: 'public', running: true, wakeDelayMs: 20 })
    expect(await gateStub(agent.slug).resolve(agent.slug)).toMatchObject({ warm: true })
    // Idled out, crashed or restarted behind the gate's back: the platform's stored state says so.
    await fake.sleep(agent.agentId)
    await ageRoute(agent.slug, ROUTE_MAX_AGE_MS + 1)
    expect(await gateStub(agent.slug).resolve(agent.slug)).toMatchObject({ warm: false, route: { state: 'cold' } })
    expect((await gateStub(agent.slug).snapshot()).phase).toBe('cold')
    expect(await hold(gateStub(agent.slug), routeOf(await fake.agent(agent.agentId)))).toMatchObject({ ok: true, waited: true })
    expect((await fake.agent(agent.agentId)).wakeCalls).toBe(1)
  })

  it('gives up a route lookup that never answers, and the next one works', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('hung'), visibility: 'public', running: true })
    await fake.hangRouteLookups(agent.slug, 1)
    expect(await gateStub(agent.slug).resolve(agent.slug)).toMatchObject({ route: null, lookupFailed: expect.stringMatching(/did not answer within/) })
    expect((await gateStub(agent.slug).resolve(agent.slug)).route).toMatchObject({ slug: agent.slug })
  }, LOOKUP_TIMEOUT_MS + 10_000)
})

describe('usage batches', () => {
  it('flushes reported usage as one batch and retries a failed flush with the same batch id', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('usage'), running: true })
    const gate = gateStub(agent.slug)
    const delta = { agentId: agent.agentId, tenantId: agent.tenantId, requests: 2, bytesIn: 10, bytesOut: 20, messages: 0, streamsOpened: 0, streamsClosed: 0, lastActivityAt: Date.now() }
    await gate.report(delta)
    await gate.report({ ...delta, requests: 3 })
    await fake.failIngest(1)
    expect(await runDurableObjectAlarm(gate)).toBe(true)
    const afterFailure = await fake.ingest()
    const failedId = afterFailure.attempts.at(-1)!
    expect(afterFailure.batches.some((b) => b.batchId === failedId)).toBe(false)
    expect(await runDurableObjectAlarm(gate)).toBe(true)
    const { batches, attempts } = await fake.ingest()
    expect(attempts.at(-1)).toBe(failedId)
    const mine = batches.filter((b) => b.items.some((i) => i.agentId === agent.agentId))
    expect(mine).toHaveLength(1)
    expect(mine[0]!.items[0]).toMatchObject({ agentId: agent.agentId, tenantId: agent.tenantId, requests: 5, bytesIn: 20, bytesOut: 40 })
  })
})
