// Tool calls count in the usage the runtime reports to the platform's signed ingest (RuntimeUsageItem.toolCalls).
import { describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { agentConfig } from './support/agent-config.ts'
import { startIngestReceiver } from './support/ingest-receiver.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

describe('tool calls in usage', () => {
  it('reports each tool call of a turn, and none for a turn without tools', async () => {
    const receiver = await startIngestReceiver(TEST_SECRET)
    const config = agentConfig(await createTestDatabase('agent_toolusage'), { tools: ['clock'] })
    const runtime = await spawnRuntime({ config, env: { MYINTELL_PLATFORM_URL: receiver.url, MYINTELL_USAGE_FLUSH_INTERVAL_MS: '60000' } })
    try {
      await waitUntilReady(runtime.baseUrl)
      const call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
      const counts: number[] = []
      for (const message of ['use clock', 'use clock\nuse clock', 'no tools here']) {
        const res = await call(`${runtime.baseUrl}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) })
        counts.push((await res.json()).usage.toolCalls)
      }
      expect(counts).toEqual([1, 2, 0])
      expect(await runtime.stop()).toBe(0) // the final flush carries the whole period
      const items = receiver.deliveries.flatMap((b) => b.items)
      expect(items.reduce((n, i) => n + (i.toolCalls ?? 0), 0)).toBe(3)
    } finally {
      await runtime.stop()
      await receiver.close()
    }
  })
})
