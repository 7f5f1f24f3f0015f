// Delegation at run time on a real cluster-api, the real local driver and real runtimes with the offline `local`
// model: a turn of one superfriend calls its `delegate_<slug>` tool (the local model's `call <tool> <json>`), the
// runtime asks the cluster-api signed with its own agent's key, and the cluster-api wakes the sleeping delegate and
// returns its reply. Refused at run time: a repeat in the chain (a cycle the config check did not see), a chain past
// the depth bound, an agent not (or no longer) in the caller's list, another tenant's agent, an unsigned call and one
// signed with another agent's key.

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INTERNAL_PATHS } from '../../wire/internal-api.ts'
import { agentSecret } from '../../wire/node-hmac.ts'
import { createOwner, createTestAgent, TEST_SIGNING_SECRET } from './support/harness.ts'
import { startRunsPlatform, waitForRun, waitUntil, type RunBody, type RunsPlatform } from './support/runs.ts'

let platform: RunsPlatform
let owner: { token: string; tenantId: string }
let stranger: { token: string; tenantId: string }

beforeAll(async () => {
  // Runtimes report their usage every 200 ms, so both sides of a delegation show in /v1/usage soon after.
  platform = await startRunsPlatform({}, {}, undefined, { MYINTELL_USAGE_FLUSH_INTERVAL_MS: '200' })
  owner = await createOwner(platform.api, 'consulter')
  stranger = await createOwner(platform.api, 'outsider')
}, 60_000)

afterAll(async () => {
  await platform?.close()
})

/** A turn of `agentId` (a run: the same turn as a chat, through the same wake path), to its end. */
async function turn(agentId: string, input: string): Promise<RunBody> {
  const response = await platform.api.v1('POST', `/v1/agents/${agentId}/runs`, { token: owner.token, body: { input } })
  expect(response.status).toBe(202)
  const run = (await response.json()) as RunBody
  return waitForRun(platform.api, owner.token, agentId, run.id, 90_000)
}

/** The local model's tool-call line: `call <tool> <json>`. */
const call = (tool: string, message: string) => `call ${tool} ${JSON.stringify({ message })}`

async function workloadState(agentId: string): Promise<string> {
  const agent = (await (await platform.api.v1('GET', `/v1/agents/${agentId}`, { token: owner.token })).json()) as { workloadState: string }
  return agent.workloadState
}

/** A delegate call as a runtime makes it, signed with `secret` (default: the caller's own agent key). */
function delegateCall(callerId: string, body: unknown, secret = agentSecret(TEST_SIGNING_SECRET, callerId)): Promise<Response> {
  return platform.api.internal('POST', INTERNAL_PATHS.runtimeDelegate(callerId), body, { secret })
}

/** Writes delegates past the API's checks: a cycle that two concurrent updates could leave, or a config of old. */
async function forceDelegates(agentId: string, delegates: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: platform.databaseUrl })
  await client.connect()
  try {
    await client.query('update agents set delegates = $1::jsonb where id = $2', [JSON.stringify(delegates), agentId])
  } finally {
    await client.end()
  }
}

describe('delegation at run time', () => {
  it('wakes a sleeping delegate and returns its reply to the caller\'s tool call', async () => {
    const researcher = await createTestAgent(platform.api, owner.token, 'rt-researcher')
    const lead = await createTestAgent(platform.api, owner.token, 'rt-lead', { delegates: ['rt-researcher'] })
    expect(await workloadState(researcher.id)).toBe('cold')

    const run = await turn(lead.id, call('delegate_rt_researcher', 'what do bees eat?'))
    expect(run.status).toBe('succeeded')
    // The lead's answer carries the tool's result: the researcher's own reply to the message it was sent.
    expect(run.output).toContain('delegate_rt_researcher returned')
    expect(run.output).toContain('"delegate":"rt-researcher"')
    expect(run.output).toContain('[local dev model] rt-researcher here. You said: \\"what do bees eat?\\"')
    expect(await workloadState(researcher.id)).toBe('ready')
  })

  it('counts usage for both: the delegate\'s turn and the caller\'s turn with its tool call', async () => {
    const expert = await createTestAgent(platform.api, owner.token, 'rt-expert')
    const asker = await createTestAgent(platform.api, owner.token, 'rt-asker', { delegates: ['rt-expert'] })
    const run = await turn(asker.id, call('delegate_rt_expert', 'how many legs has a bee?'))
    expect(run.output).toContain('delegate_rt_expert returned')
    const tokensOf = async (agentId: string) => {
      const usage = (await (await platform.api.v1('GET', `/v1/usage?agentId=${agentId}`, { token: owner.token })).json()) as { totals: { tokensOut: number; toolCalls: number } }
      return usage.totals
    }
    const expertUsage = await waitUntil('the delegate\'s usage', async () => { const t = await tokensOf(expert.id); return t.tokensOut > 0 ? t : null })
    const askerUsage = await waitUntil('the caller\'s usage', async () => { const t = await tokensOf(asker.id); return t.tokensOut > 0 ? t : null }, 10_000)
    expect(expertUsage.toolCalls).toBe(0)
    expect(askerUsage.toolCalls).toBe(1)
  })

  it('answers a signed call with the delegate\'s reply, and refuses one no longer in the list', async () => {
    const helper = await createTestAgent(platform.api, owner.token, 'rt-helper')
    const boss = await createTestAgent(platform.api, owner.token, 'rt-boss', { delegates: ['rt-helper'] })
    const ok = await delegateCall(boss.id, { delegate: 'rt-helper', message: 'ping from the boss' })
    expect(ok.status).toBe(200)
    const reply = (await ok.json()) as { delegate: string; reply: string; conversationId: string | null }
    expect(reply.delegate).toBe('rt-helper')
    expect(reply.reply).toContain('ping from the boss')
    expect(reply.conversationId).toEqual(expect.any(String))
    void helper

    expect((await platform.api.v1('PATCH', `/v1/agents/${boss.id}`, { token: owner.token, body: { delegates: [] } })).status).toBe(200)
    const removed = await delegateCall(boss.id, { delegate: 'rt-helper', message: 'still there?' })
    expect(removed.status).toBe(403)
    expect(((await removed.json()) as { code: string }).code).toBe('not-a-delegate')
  })

  it('refuses a cycle at run time, which the delegate\'s tool reports to the caller', async () => {
    const a = await createTestAgent(platform.api, owner.token, 'rt-cyc-a')
    const b = await createTestAgent(platform.api, owner.token, 'rt-cyc-b', { delegates: ['rt-cyc-a'] })
    // B → A is configured; A → B would be refused by the API, so it is written the way a race of two updates would.
    await forceDelegates(a.id, ['rt-cyc-b'])
    const run = await turn(a.id, call('delegate_rt_cyc_b', call('delegate_rt_cyc_a', 'round and round')))
    expect(run.status).toBe('succeeded')
    // A asked B; B's own call back to A was refused by the platform, and B said so in its reply to A.
    expect(run.output).toContain('delegate_rt_cyc_b returned')
    expect(run.output).toContain('delegate_rt_cyc_a failed')
    expect(run.output).toContain('delegation-cycle')
    void b
  })

  it('bounds the depth of a chain at three agents', async () => {
    await createTestAgent(platform.api, owner.token, 'rt-d4')
    await createTestAgent(platform.api, owner.token, 'rt-d3', { delegates: ['rt-d4'] })
    await createTestAgent(platform.api, owner.token, 'rt-d2', { delegates: ['rt-d3'] })
    const d1 = await createTestAgent(platform.api, owner.token, 'rt-d1', { delegates: ['rt-d2'] })
    const run = await turn(d1.id, call('delegate_rt_d2', call('delegate_rt_d3', call('delegate_rt_d4', 'deep down'))))
    expect(run.status).toBe('succeeded')
    expect(run.output).toContain('delegate_rt_d3 returned')
    expect(run.output).toContain('delegate_rt_d4 failed')
    expect(run.output).toContain('delegation-too-deep')
  })

  it('never reaches another tenant\'s agent, even with the caller\'s own valid key', async () => {
    const foreign = await createTestAgent(platform.api, stranger.token, 'rt-foreign')
    const mine = await createTestAgent(platform.api, owner.token, 'rt-mine')
    // A config of old (or a forged row) that names the foreign slug does not help either.
    await forceDelegates(mine.id, ['rt-foreign'])
    const response = await delegateCall(mine.id, { delegate: 'rt-foreign', message: 'let me in' })
    expect(response.status).toBe(403)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
    expect(((await response.json()) as { code: string }).code).toBe('not-a-delegate')
    expect(await (async () => {
      const agent = (await (await platform.api.v1('GET', `/v1/agents/${foreign.id}`, { token: stranger.token })).json()) as { workloadState: string }
      return agent.workloadState
    })()).toBe('cold')
  })

  it('refuses an unsigned call and one signed with another agent\'s key (401), and bad input (422)', async () => {
    await createTestAgent(platform.api, owner.token, 'rt-sig-b')
    const a = await createTestAgent(platform.api, owner.token, 'rt-sig-a', { delegates: ['rt-sig-b'] })
    const other = await createTestAgent(platform.api, owner.token, 'rt-sig-other')

    const unsigned = await fetch(`${platform.api.url}${INTERNAL_PATHS.runtimeDelegate(a.id)}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delegate: 'rt-sig-b', message: 'hi' }),
    })
    expect(unsigned.status).toBe(401)
    // Another agent's key cannot speak for A, and neither can the edge's own.
    const wrongKey = await delegateCall(a.id, { delegate: 'rt-sig-b', message: 'hi' }, agentSecret(TEST_SIGNING_SECRET, other.id))
    expect(wrongKey.status).toBe(401)
    const edgeKey = await platform.api.internal('POST', INTERNAL_PATHS.runtimeDelegate(a.id), { delegate: 'rt-sig-b', message: 'hi' })
    expect(edgeKey.status).toBe(401)

    for (const bad of [{ delegate: 'rt-sig-b' }, { delegate: 'rt-sig-b', message: '' }, { delegate: 'rt-sig-b', message: 'hi', chain: [] }]) {
      const response = await delegateCall(a.id, bad)
      expect(response.status).toBe(422)
    }
  })
})
