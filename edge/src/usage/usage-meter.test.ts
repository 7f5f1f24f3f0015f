// The isolate's usage meter against a real AgentGate: one push loop per agent, counts never lost. The loop's
// gap is driven by the tests (a pacing they release), so nothing here depends on how fast the machine is.
import { describe, expect, it } from 'vitest'
import { fake, gateStub, testEnv, uniqueSlug } from '../../test/fake-platform-client.ts'
import type { Env } from '../env.ts'
import { recordUsage, type MeterPacing } from './usage-meter.ts'

/** A gap that lasts until the test opens it (and then never again), and says when the loop first entered it. */
function heldGap(reportTimeoutMs = 5_000) {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  let entered!: () => void
  const reached = new Promise<void>((resolve) => (entered = resolve))
  const pacing: MeterPacing = {
    gap: () => {
      entered()
      return opened
    },
    reportTimeoutMs,
  }
  return { pacing, reached, open }
}

const noGap: MeterPacing = { gap: async () => {}, reportTimeoutMs: 5_000 }

async function meteredAgent(prefix: string) {
  const agent = await fake.addAgent({ slug: uniqueSlug(prefix), running: true })
  return { agent, target: { slug: agent.slug, agentId: agent.agentId, tenantId: agent.tenantId } }
}

describe('recordUsage', () => {
  it('hands a push only to the caller that starts it, and that push carries counts added meanwhile', async () => {
    const { agent, target } = await meteredAgent('meter')
    const push = recordUsage(testEnv, target, { requests: 1, bytesIn: 10 }, noGap)
    expect(push).toBeInstanceOf(Promise)
    expect(recordUsage(testEnv, target, { requests: 2, bytesOut: 5 }, noGap)).toBeNull()
    await push
    expect((await gateStub(agent.slug).snapshot()).pendingRequests).toBe(3)
  })

  it('lets requests that come one after another share a push instead of each making one', async () => {
    const { agent, target } = await meteredAgent('meter-serial')
    const gap = heldGap()
    const push = recordUsage(testEnv, target, { requests: 1 }, gap.pacing)
    await gap.reached
    // The first push has landed and the loop is in its gap: the next request's counts wait for its next push.
    expect((await gateStub(agent.slug).snapshot()).pendingRequests).toBe(1)
    expect(recordUsage(testEnv, target, { requests: 1 }, gap.pacing)).toBeNull()
    gap.open()
    await push
    expect((await gateStub(agent.slug).snapshot()).pendingRequests).toBe(2)
  })

  it('starts a fresh push for counts that arrive after the last one ended', async () => {
    const { agent, target } = await meteredAgent('meter-again')
    await recordUsage(testEnv, target, { requests: 1 }, noGap)
    const again = recordUsage(testEnv, target, { requests: 1 }, noGap)
    expect(again).toBeInstanceOf(Promise)
    await again
    expect((await gateStub(agent.slug).snapshot()).pendingRequests).toBe(2)
  })

  it('gives up on a gate call that never answers, keeps its counts and pushes them in the next round', async () => {
    const { agent, target } = await meteredAgent('meter-hung')
    // A stand-in for the gate in a fault (its first report hangs), in front of the real one.
    const gates = testEnv.AGENT_GATE
    let reports = 0
    const hangingFirst = {
      idFromName: (name: string) => gates.idFromName(name),
      get: (id: DurableObjectId) => {
        const gate = gates.get(id)
        return { report: (delta: Parameters<typeof gate.report>[0]) => (++reports === 1 ? new Promise<void>(() => {}) : gate.report(delta)) }
      },
    }
    const env = { ...testEnv, AGENT_GATE: hangingFirst } as unknown as Env
    const push = recordUsage(env, target, { requests: 1, bytesIn: 7 }, { gap: async () => {}, reportTimeoutMs: 50 })
    await push
    expect(reports).toBe(2)
    expect((await gateStub(agent.slug).snapshot()).pendingRequests).toBe(1)
  })
})
