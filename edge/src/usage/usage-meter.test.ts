// The isolate's usage meter against a real AgentGate: one push loop per agent, counts never lost.
import { describe, expect, it } from 'vitest'
import { fake, gateStub, testEnv, uniqueSlug } from '../../test/fake-platform-client.ts'
import { recordUsage } from './usage-meter.ts'

describe('recordUsage', () => {
  it('hands a push only to the caller that starts it, and that push carries counts added meanwhile', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('meter'), running: true })
    const target = { slug: agent.slug, agentId: agent.agentId, tenantId: agent.tenantId }
    const push = recordUsage(testEnv, target, { requests: 1, bytesIn: 10 })
    expect(push).toBeInstanceOf(Promise)
    expect(recordUsage(testEnv, target, { requests: 2, bytesOut: 5 })).toBeNull()
    await push
    expect((await gateStub(agent.slug).snapshot()).pendingRequests).toBe(3)
  })

  it('lets requests that come one after another share a push instead of each making one', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('meter-serial'), running: true })
    const target = { slug: agent.slug, agentId: agent.agentId, tenantId: agent.tenantId }
    const push = recordUsage(testEnv, target, { requests: 1 })
    await expect.poll(async () => (await gateStub(agent.slug).snapshot()).pendingRequests).toBe(1)
    // The first push has landed; the next request's counts wait for the loop's next push.
    expect(recordUsage(testEnv, target, { requests: 1 })).toBeNull()
    await push
    expect((await gateStub(agent.slug).snapshot()).pendingRequests).toBe(2)
  })

  it('starts a fresh push for counts that arrive after the last one ended', async () => {
    const agent = await fake.addAgent({ slug: uniqueSlug('meter-again'), running: true })
    const target = { slug: agent.slug, agentId: agent.agentId, tenantId: agent.tenantId }
    await recordUsage(testEnv, target, { requests: 1 })
    const again = recordUsage(testEnv, target, { requests: 1 })
    expect(again).toBeInstanceOf(Promise)
    await again
    expect((await gateStub(agent.slug).snapshot()).pendingRequests).toBe(2)
  })
})
