// A runtime whose parent stopped reading (it died: its ends of our stdout and stderr pipes are closed) keeps serving,
// and SIGTERM still ends it with exit code 0: no write to a broken pipe may block or kill it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

/** Generous: a runtime that cannot exit at all would otherwise hang the test run. */
const EXIT_BOUND_MS = 20_000

describe('a runtime whose stdout and stderr are closed by its parent', () => {
  let runtime: RuntimeProcess
  let config: ReturnType<typeof agentConfig>
  beforeAll(async () => {
    config = agentConfig(await createTestDatabase('agent_pipes'))
    // debug: every request writes log lines, so the broken pipe is hit on every request.
    runtime = await spawnRuntime({ config, env: { LOG_LEVEL: 'debug', MYINTELL_DRAIN_TIMEOUT_MS: '5000' } })
    await waitUntilReady(runtime.baseUrl)
    runtime.child.stdout!.destroy()
    runtime.child.stderr!.destroy()
  })
  afterAll(async () => { await runtime?.stop(1_000) })

  it('keeps answering, including requests that log', async () => {
    const edge = signedFetch({ secret: TEST_SECRET, slug: config.slug })
    for (let i = 0; i < 20; i++) {
      // Refused requests log a warning each; chat turns log on the way.
      const unsigned = await fetch(`${runtime.baseUrl}/v1/conversations`)
      expect(unsigned.status).toBe(401)
      await unsigned.body?.cancel()
    }
    const chat = await edge(`${runtime.baseUrl}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'still there?' }) })
    expect(chat.status).toBe(200)
    expect((await chat.json() as { reply: string }).reply).toContain('still there?')
  })

  it('exits 0 on SIGTERM while requests are still logging', async () => {
    // A burst of refused requests queues log lines right as the signal arrives.
    const burst = Array.from({ length: 50 }, () => fetch(`${runtime.baseUrl}/v1/conversations`).then((r) => r.body?.cancel(), () => {}))
    runtime.child.kill('SIGTERM')
    await Promise.all(burst)
    const timer = setTimeout(() => runtime.child.kill('SIGKILL'), EXIT_BOUND_MS)
    const code = await runtime.exited
    clearTimeout(timer)
    expect(runtime.child.signalCode).toBeNull() // not the SIGKILL above
    expect(code).toBe(0)
  })
})
