import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INTERNAL_PATHS } from '../../../wire/internal-api.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from '../../../test/api/support/harness.ts'

let api: TestApi
let owner: { token: string; tenantId: string }
let agents: Array<{ id: string; tenantId: string }>

const at = (day: number, hour: number) => Date.UTC(2025, 2, day, hour)
function item(agent: { id: string; tenantId: string }, from: number, requests: number, tokensOut = 0) {
  return { agentId: agent.id, tenantId: agent.tenantId, from, to: from + 60_000, requests, bytesIn: 10 * requests, bytesOut: 100 * requests, wakes: 0, coldStartMs: 0, tokensIn: 0, tokensOut, activeSeconds: 60, openStreams: 0 }
}

beforeAll(async () => {
  api = await startTestApi()
  owner = await createOwner(api, 'usage')
  agents = [await createTestAgent(api, owner.token, 'usage-one'), await createTestAgent(api, owner.token, 'usage-two')]
  const [one, two] = agents as [typeof agents[0], typeof agents[0]]
  await api.internal('POST', INTERNAL_PATHS.ingest, {
    batchId: 'usage-1',
    items: [item(one, at(1, 9), 2, 50), item(one, at(1, 23), 3), item(two, at(1, 12), 5), item(one, at(2, 0), 7), item(two, at(3, 8), 1)],
  })
})
afterAll(() => api.close())

describe('usage', () => {
  it('sums the tenant\'s usage per UTC day over the range', async () => {
    const response = await api.v1('GET', '/v1/usage?from=2025-03-01&to=2025-03-03', { token: owner.token })
    const body = (await response.json()) as { days: Array<{ day: string; requests: number; bytesOut: number; tokensOut: number }>; totals: { requests: number } }
    expect(body.days.map((d) => [d.day, d.requests])).toEqual([['2025-03-01', 10], ['2025-03-02', 7]])
    expect(body.days[0]).toMatchObject({ bytesOut: 1000, tokensOut: 50 })
    expect(body.totals.requests).toBe(17)
  })

  it('narrows to one agent', async () => {
    const response = await api.v1('GET', `/v1/usage?from=2025-03-01&to=2025-03-31&agentId=${agents[1]!.id}`, { token: owner.token })
    const body = (await response.json()) as { agentId: string; days: Array<{ day: string; requests: number }> }
    expect(body.agentId).toBe(agents[1]!.id)
    expect(body.days.map((d) => [d.day, d.requests])).toEqual([['2025-03-01', 5], ['2025-03-03', 1]])
  })

  it('refuses a reversed or over-long range and a malformed date', async () => {
    expect((await api.v1('GET', '/v1/usage?from=2025-03-05&to=2025-03-01', { token: owner.token })).status).toBe(422)
    expect((await api.v1('GET', '/v1/usage?from=2020-01-01&to=2025-03-01', { token: owner.token })).status).toBe(422)
    expect((await api.v1('GET', '/v1/usage?from=yesterday', { token: owner.token })).status).toBe(422)
  })
})
