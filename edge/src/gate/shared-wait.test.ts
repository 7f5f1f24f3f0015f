// Held requests of one isolate share one wait per wake, inside workerd against a real AgentGate: one answer
// releases them all, the gate still counts every seat, and no waiter depends on another staying alive.

import { abortAllDurableObjects, runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { RouteInfo } from '../../../wire/internal-api.ts'
import { fake, gateStub, routeOf, uniqueSlug } from '../../test/fake-platform-client.ts'
import type { AdmitResult, WaitResult } from './protocol.ts'
import { holdShared, type GateWaits } from './shared-wait.ts'

const keepAlive = () => undefined

/** The real gate, counting the calls the Worker makes to it. */
function counted(slug: string) {
  const gate = gateStub(slug)
  const calls = { admit: 0, waitForWake: 0 }
  const waits: GateWaits = {
    admit: (route: RouteInfo, noEndpoints?: boolean) => {
      calls.admit += 1
      return gate.admit(route, noEndpoints) as Promise<AdmitResult>
    },
    waitForWake: (wakeId: string, roundMs?: number) => {
      calls.waitForWake += 1
      return gate.waitForWake(wakeId, roundMs) as Promise<WaitResult>
    },
  }
  return { gate, calls, waits }
}

describe('shared wait', () => {
  it('releases every held request of an isolate with one gate wait, after one wake', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('shared'), wakeDelayMs: null })
    const { gate, calls, waits } = counted(agent.slug)
    const holds = Array.from({ length: 5 }, () => holdShared(waits, routeOf(agent), false, { keepAlive }))
    await expect.poll(async () => (await gate.snapshot()).held).toBe(5)
    await fake.markReady(agent.agentId)
    for (const r of await Promise.all(holds)) expect(r).toMatchObject({ ok: true, waited: true })
    expect(calls).toEqual({ admit: 5, waitForWake: 1 })
    expect((await gate.snapshot()).waitCalls).toBe(1)
    expect((await fake.agent(agent.agentId)).wakeCalls).toBe(1)
    // The wake is over: no seat stays taken, and the next request goes at once.
    expect((await gate.snapshot()).held).toBe(0)
    expect(await holdShared(waits, routeOf(agent), false, { keepAlive })).toEqual({ ok: true, waited: false, coldStartMs: 0 })
  })

  it('still counts every seat against the hold bound: past it 503 wake-queue-full at once', async () => {
    // edge/vitest.config.ts: MAX_HELD_REQUESTS = 5.
    const agent = await fake.addAgent({ slug: uniqueSlug('shared-bound'), wakeDelayMs: null })
    const { gate, calls, waits } = counted(agent.slug)
    const holds = Array.from({ length: 7 }, () => holdShared(waits, routeOf(agent), false, { keepAlive }))
    await expect.poll(async () => calls.admit).toBe(7)
    const refused = await Promise.race([Promise.all(holds.slice(5)), new Promise((r) => setTimeout(() => r('still held'), 2_000))])
    expect(refused).toEqual([
      expect.objectContaining({ ok: false, status: 503, code: 'wake-queue-full', retryAfterSeconds: 2 }),
      expect.objectContaining({ ok: false, status: 503, code: 'wake-queue-full', retryAfterSeconds: 2 }),
    ])
    expect((await gate.snapshot()).held).toBe(5)
    await fake.markReady(agent.agentId)
    for (const r of await Promise.all(holds.slice(0, 5))) expect(r.ok).toBe(true)
    expect(calls.waitForWake).toBe(1)
  })

  it('answers every waiter 503 wake-timeout when the deadline alarm fires, and frees their seats', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('shared-timeout'), wakeDelayMs: null })
    const { gate, waits } = counted(agent.slug)
    const holds = Array.from({ length: 5 }, () => holdShared(waits, routeOf(agent), false, { keepAlive }))
    await expect.poll(async () => (await gate.snapshot()).held).toBe(5)
    expect(await runDurableObjectAlarm(gate)).toBe(true)
    for (const r of await Promise.all(holds)) {
      expect(r).toMatchObject({ ok: false, status: 503, code: 'wake-timeout', retryAfterSeconds: 5 })
    }
    // Seats end with their wake, whether or not anyone still waits on them (a client that left included).
    expect((await gate.snapshot()).held).toBe(0)
    expect(await gate.admit(routeOf(agent))).toMatchObject({ kind: 'seat' })
  })

  it('asks again, shared, when a round ends with the agent still waking', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('shared-rounds'), wakeDelayMs: null })
    const { gate, calls, waits } = counted(agent.slug)
    const holds = Array.from({ length: 4 }, () => holdShared(waits, routeOf(agent), false, { keepAlive, roundMs: 30 }))
    await expect.poll(async () => calls.waitForWake, { timeout: 3_000 }).toBeGreaterThanOrEqual(3)
    expect((await gate.snapshot()).held).toBe(4)
    await fake.markReady(agent.agentId)
    for (const r of await Promise.all(holds)) expect(r).toMatchObject({ ok: true, waited: true })
    // One call per round, not one per waiter per round.
    expect(calls.waitForWake).toBeLessThan(calls.admit * 3)
  })

  it('does not leave waiters hanging on a shared call that never answers: the next waiter calls again', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('shared-lost'), wakeDelayMs: null })
    const { gate } = counted(agent.slug)
    let waitCalls = 0
    // The first shared call is lost (as with a request cancelled mid-call); later ones reach the gate.
    const waits: GateWaits = {
      admit: (route) => gate.admit(route) as Promise<AdmitResult>,
      waitForWake: (wakeId, roundMs) => {
        waitCalls += 1
        return waitCalls === 1 ? new Promise<WaitResult>(() => undefined) : (gate.waitForWake(wakeId, roundMs) as Promise<WaitResult>)
      },
    }
    const holds = Array.from({ length: 3 }, () => holdShared(waits, routeOf(agent), false, { keepAlive, roundMs: 50, graceMs: 50 }))
    await expect.poll(() => waitCalls, { timeout: 3_000 }).toBeGreaterThanOrEqual(2)
    await fake.markReady(agent.agentId)
    for (const r of await Promise.all(holds)) expect(r).toMatchObject({ ok: true, waited: true })
  })

  it('throws when the gate is reset mid-wait, and a fresh seat resumes the same wake', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('shared-reset'), wakeDelayMs: null })
    const before = counted(agent.slug)
    const lost = Promise.all(Array.from({ length: 3 }, () =>
      holdShared(before.waits, routeOf(agent), false, { keepAlive }).then(() => 'answered', () => 'reset')))
    await expect.poll(async () => (await before.gate.snapshot()).held).toBe(3)
    await expect.poll(async () => (await fake.agent(agent.agentId)).wakeCalls).toBe(1)
    await abortAllDurableObjects()
    expect(await lost).toEqual(['reset', 'reset', 'reset'])
    const after = counted(agent.slug)
    const resumed = holdShared(after.waits, routeOf(agent), false, { keepAlive })
    await expect.poll(async () => (await after.gate.snapshot()).held).toBe(1)
    await fake.markReady(agent.agentId)
    expect(await resumed).toMatchObject({ ok: true, waited: true })
    expect((await fake.agent(agent.agentId)).wakeCalls).toBe(1)
  })
})
