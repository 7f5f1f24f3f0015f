// Tokens in and out of every reply reach the platform's signed ingest in batches with unique ids, retried on failure.
import { describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { agentConfig } from './support/agent-config.ts'
import { startIngestReceiver } from './support/ingest-receiver.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

describe('usage reporting', () => {
  it('reports the tokens of each reply to the signed ingest, retrying a failed delivery with the same batch id', async () => {
    const receiver = await startIngestReceiver(TEST_SECRET)
    const config = agentConfig(await createTestDatabase('agent_usage'))
    const runtime = await spawnRuntime({ config, env: { MYINTELL_PLATFORM_URL: receiver.url, MYINTELL_USAGE_FLUSH_INTERVAL_MS: '100' } })
    try {
      await waitUntilReady(runtime.baseUrl)
      receiver.failNext(2)
      const call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
      const usages: Array<{ inputTokens: number; outputTokens: number }> = []
      for (const message of ['one', 'two', 'three']) {
        const res = await call(`${runtime.baseUrl}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) })
        usages.push((await res.json()).usage)
      }
      expect(await runtime.stop()).toBe(0) // the final flush happens on the way out
      const items = receiver.deliveries.flatMap((b) => b.items)
      expect(receiver.deliveries.every((b) => b.agentId === config.agentId)).toBe(true)
      expect(items.reduce((n, i) => n + i.tokensIn, 0)).toBe(usages.reduce((n, u) => n + u.inputTokens, 0))
      expect(items.reduce((n, i) => n + i.tokensOut, 0)).toBe(usages.reduce((n, u) => n + u.outputTokens, 0))
      const ids = receiver.deliveries.map((b) => b.batchId)
      expect(new Set(ids).size).toBe(ids.length)
      expect(receiver.failedBatchIds.length).toBe(2)
      for (const failed of receiver.failedBatchIds) expect(ids).toContain(failed)
      expect(receiver.unsigned).toBe(0)
    } finally {
      await runtime.stop()
      await receiver.close()
    }
  })
})
