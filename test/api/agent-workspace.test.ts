// With the local driver the platform gives each agent a workspace directory of its own under the data directory,
// owner-only, and names it in the agent's RuntimeConfig (a warm-pool runtime learns it at assignment).

import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOwner, createTestAgent, startTestApi, type TestApi } from './support/harness.ts'
import { createRecordingDriver, type RecordingDriver } from './support/recording-driver.ts'

const root = join(mkdtempSync(join(tmpdir(), 'myintell-workspaces-')), 'workspaces')
let api: TestApi
let driver: RecordingDriver

beforeAll(async () => {
  driver = createRecordingDriver()
  api = await startTestApi({
    driver, workspaceRoot: root,
    tenantDatabases: { name: 'postgres', provision: async (t) => `postgres://u:p@127.0.0.1:1/${t.slug}`, drop: async () => {} },
  })
})
afterAll(async () => {
  await api.close()
  rmSync(join(root, '..'), { recursive: true, force: true })
})

describe('agent workspaces (local driver)', () => {
  it('makes a 0700 directory per agent and names it in that agent\'s config only', async () => {
    const owner = await createOwner(api, 'workspace')
    const ada = await createTestAgent(api, owner.token, 'workspace-ada')
    const bob = await createTestAgent(api, owner.token, 'workspace-bob')
    const specOf = (id: string) => driver.calls.filter((call) => call.op === 'ensure' && call.agentId === id).at(-1)!.spec!
    expect(specOf(ada.id).workspaceDir).toBe(join(root, ada.id))
    expect(specOf(bob.id).workspaceDir).toBe(join(root, bob.id))
    for (const id of [ada.id, bob.id]) {
      const stat = statSync(join(root, id))
      expect(stat.isDirectory()).toBe(true)
      expect(stat.mode & 0o777).toBe(0o700)
    }
  })
})
