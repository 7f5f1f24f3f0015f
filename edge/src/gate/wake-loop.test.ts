import { describe, expect, it } from 'vitest'
import type { WorkloadStatus } from '../../../wire/internal-api.ts'
import { wakeUntilReady, type WakeClient } from './wake-loop.ts'

function scripted(states: WorkloadStatus['state'][]): WakeClient & { wakes: number; polls: number[] } {
  const client = {
    wakes: 0,
    polls: [] as number[],
    async wake(agentId: string): Promise<WorkloadStatus> {
      client.wakes += 1
      return { agentId, state: 'waking', ready: false, replicas: 0 }
    },
    async status(agentId: string, waitMs: number): Promise<WorkloadStatus> {
      client.polls.push(waitMs)
      const state = states.shift() ?? 'waking'
      return { agentId, state, ready: state === 'ready', replicas: state === 'ready' ? 1 : 0, ...(state === 'failed' ? { message: 'crash loop' } : {}) }
    },
  }
  return client
}

const opts = (client: WakeClient, deadline = Date.now() + 30_000) => ({
  client, agentId: 'agt_1', deadline, signal: new AbortController().signal, issueWake: true,
})

describe('wakeUntilReady', () => {
  it('wakes once and long-polls until ready', async () => {
    const client = scripted(['waking', 'waking', 'ready'])
    expect(await wakeUntilReady(opts(client))).toEqual({ ok: true })
    expect(client.wakes).toBe(1)
    expect(client.polls).toHaveLength(3)
    expect(client.polls[0]).toBeGreaterThan(0)
  })

  it('asks again when the status says nobody is waking the agent', async () => {
    const client = scripted(['cold', 'ready'])
    expect(await wakeUntilReady(opts(client))).toEqual({ ok: true })
    expect(client.wakes).toBe(2)
  })

  it('reports a failed workload with its reason', async () => {
    const client = scripted(['failed'])
    expect(await wakeUntilReady(opts(client))).toEqual({ ok: false, code: 'wake-failed', detail: 'crash loop' })
  })

  it('fails at once when the cluster-api refuses the wake (a paused agent)', async () => {
    const client = scripted([])
    client.wake = async () => {
      client.wakes += 1
      throw Object.assign(new Error('cluster-api /wake answered 409'), { status: 409 })
    }
    expect(await wakeUntilReady(opts(client))).toMatchObject({ ok: false, code: 'wake-failed' })
    expect(client.polls).toHaveLength(0)
  })

  it('keeps trying through a cluster-api error that may pass', async () => {
    const client = scripted(['cold', 'ready'])
    let failures = 1
    const wake = client.wake.bind(client)
    client.wake = async (agentId) => {
      if (failures-- > 0) throw Object.assign(new Error('503'), { status: 503 })
      return wake(agentId)
    }
    expect(await wakeUntilReady(opts(client))).toEqual({ ok: true })
  })

  it('gives up at the deadline', async () => {
    const client = scripted([])
    expect(await wakeUntilReady(opts(client, Date.now() - 1))).toEqual({ ok: false, code: 'wake-timeout' })
  })
})
