// The runtime process contract (wire/runtime.ts): probes, assignment by the control token, edge-only access, exit on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import { RUNTIME_PATHS } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_CONTROL_TOKEN, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

const control = (token = TEST_CONTROL_TOKEN) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })

describe('a warm-pool runtime', () => {
  let runtime: RuntimeProcess
  let dbUrl: string
  beforeAll(async () => {
    dbUrl = await createTestDatabase('agent_life')
    runtime = await spawnRuntime()
  })
  afterAll(async () => { await runtime?.stop() })

  it('is alive but not ready before an assignment', async () => {
    expect((await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.healthz}`)).status).toBe(200)
    const ready = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.readyz}`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({ ready: false, assigned: false })
  })

  it('refuses an assignment without the control token or with a wrong one', async () => {
    const config = agentConfig(dbUrl)
    for (const headers of [{ 'content-type': 'application/json' }, control('not-the-token')]) {
      const res = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.assign}`, { method: 'POST', headers, body: JSON.stringify(config) })
      expect(res.status).toBe(401)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
    }
    expect((await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.readyz}`)).status).toBe(503)
  })

  it('refuses an invalid configuration with 400', async () => {
    const res = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.assign}`, { method: 'POST', headers: control(), body: JSON.stringify({ agentId: 'x' }) })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'invalid-config' })
  })

  it('becomes ready once assigned, refuses another agent with 409, accepts config updates for its own', async () => {
    const config = agentConfig(dbUrl)
    const assigned = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.assign}`, { method: 'POST', headers: control(), body: JSON.stringify(config) })
    expect(assigned.status).toBe(200)
    await waitUntilReady(runtime.baseUrl)

    const other = agentConfig(dbUrl)
    const conflict = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.assign}`, { method: 'POST', headers: control(), body: JSON.stringify(other) })
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toMatchObject({ code: 'already-assigned' })

    const again = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.assign}`, { method: 'POST', headers: control(), body: JSON.stringify(config) })
    expect(again.status).toBe(200)

    const updated = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.config}`, {
      method: 'PUT', headers: control(), body: JSON.stringify({ ...config, persona: { systemPrompt: 'You are Ada.', style: 'terse' } }),
    })
    expect(updated.status).toBe(200)
    const foreign = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.config}`, { method: 'PUT', headers: control(), body: JSON.stringify(other) })
    expect(foreign.status).toBe(409)
  })

  it('never logs the database URL, the control token or provider secrets', () => {
    const log = runtime.stderr()
    expect(log).toContain('runtime assigned')
    expect(log).not.toContain(dbUrl)
    expect(log).not.toContain(TEST_CONTROL_TOKEN)
    expect(log).not.toContain(TEST_SECRET)
  })
})

describe('a runtime configured by environment', () => {
  it('updating config of an unassigned runtime is a 409', async () => {
    const runtime = await spawnRuntime()
    try {
      const dbUrl = await createTestDatabase('agent_life')
      const res = await fetch(`${runtime.baseUrl}${RUNTIME_PATHS.config}`, { method: 'PUT', headers: control(), body: JSON.stringify(agentConfig(dbUrl)) })
      expect(res.status).toBe(409)
      expect(await res.json()).toMatchObject({ code: 'not-assigned' })
    } finally {
      await runtime.stop()
    }
  })

  it('serves its agent after start-up, refuses unsigned requests and exits 0 on SIGTERM', async () => {
    const dbUrl = await createTestDatabase('agent_life')
    const config = agentConfig(dbUrl)
    const runtime = await spawnRuntime({ config })
    try {
      await waitUntilReady(runtime.baseUrl)
      const unsigned = await fetch(`${runtime.baseUrl}/v1/conversations`)
      expect(unsigned.status).toBe(401)
      expect(unsigned.headers.get('content-type')).toContain('application/problem+json')
      const signed = await signedFetch({ secret: TEST_SECRET, slug: config.slug })(`${runtime.baseUrl}/v1/conversations`)
      expect(signed.status).toBe(200)
    } finally {
      expect(await runtime.stop()).toBe(0)
    }
    expect(runtime.stderr()).toContain('edge-auth-refused')
  })

  it('fails fast with a clear message when the config carries no signing key of its own', async () => {
    const { signingKey: _omitted, ...withoutKey } = agentConfig('postgres://unused@127.0.0.1:1/x')
    await expect(spawnRuntime({ env: { MYINTELL_AGENT_CONFIG: JSON.stringify(withoutKey) } })).rejects.toThrow(/signingKey/)
  })

  it('never reads the platform master secret from its environment', async () => {
    // A pool runtime started with EDGE_SIGNING_SECRET set still verifies only with an assigned agent's own key.
    const runtime = await spawnRuntime({ env: { EDGE_SIGNING_SECRET: TEST_SECRET } })
    try {
      const res = await signedFetch({ secret: TEST_SECRET, slug: 'anyone' })(`${runtime.baseUrl}/v1/conversations`)
      expect(res.status).toBe(401)
      expect(runtime.stderr()).toContain('not-assigned')
    } finally {
      await runtime.stop()
    }
  })
})
