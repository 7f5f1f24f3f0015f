// The CLI against a real cluster-api on a real PostgreSQL, run as a child process the way a user runs it.
// One story per describe: sign in, make a tenant, manage superfriends and keys, read usage, log out.

import { statSync } from 'node:fs'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterApi, type ClusterApi } from '../../../cluster-api/src/server.ts'
import { createTestDatabase } from '../../../test/support/db.ts'
import { signHeaders } from '../../../wire/signature.ts'
import { edgeSecret, nodeBodyDigest } from '../../../wire/node-hmac.ts'
import { createCliHome, runCli, type CliHome } from '../../test-support/run-cli.ts'

const SIGNING_SECRET = 'cli-test-signing-secret-0123456789abcdef'

let api: ClusterApi
let apiUrl: string
let home: CliHome

beforeAll(async () => {
  api = await startClusterApi({ databaseUrl: await createTestDatabase('cli'), signingSecret: SIGNING_SECRET, logger: pino({ level: 'silent' }) })
  // Through a *.localhost name, as `npm start` serves it: the CLI must resolve it to loopback itself.
  apiUrl = `http://api.localhost:${api.port}`
  home = createCliHome()
})

afterAll(async () => {
  await api?.close()
  home?.remove()
})

const cli = (...args: string[]) => runCli(args, home)
const json = <T>(stdout: string): T => JSON.parse(stdout) as T

describe('signing in and choosing a tenant', { timeout: 120_000 }, () => {
  it('logs in with the dev sign-in and keeps the session in a private config file', async () => {
    const result = await cli('login', '--dev', '--email', 'ada@example.test', '--api-url', apiUrl)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Logged in to ${apiUrl} as ada@example.test`)
    const file = join(home.configDir, 'myintell', 'config.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('says a signed-in user without a tenant has none yet', async () => {
    const result = await cli('tenants', 'list')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('No tenants yet')
  })

  it('creates a tenant and lists it, as a table and as JSON', async () => {
    const created = await cli('tenants', 'create', 'ada-labs', '--name', 'Ada Labs')
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/Created tenant ada-labs \([0-9a-f-]{36}\)/)

    const table = await cli('tenants', 'list')
    expect(table.stdout).toMatch(/ada-labs\s+Ada Labs\s+owner/)
    const listed = json<Array<{ slug: string; role: string }>>((await cli('tenants', 'list', '--json')).stdout)
    expect(listed).toEqual([expect.objectContaining({ slug: 'ada-labs', name: 'Ada Labs', role: 'owner' })])
  })

  it('asks which tenant to act for once you belong to several', async () => {
    await cli('tenants', 'create', 'ada-side', '--name', 'Side project')
    const ambiguous = await cli('agents', 'list')
    expect(ambiguous.code).toBe(1)
    expect(ambiguous.stderr).toContain('400 tenant-required')
    expect(ambiguous.stderr).toContain('myintell tenants use')
    const chosen = await cli('agents', 'list', '--tenant', 'ada-side')
    expect(chosen.code).toBe(0)
    expect(chosen.stdout).toContain('No agents yet')
  })

  it('remembers the tenant chosen with `tenants use`, by slug', async () => {
    const result = await cli('tenants', 'use', 'ada-labs')
    expect(result.code).toBe(0)
    expect((await cli('tenants', 'list')).stdout).toMatch(/ada-labs.*\(in use\)/)
  })

  it('names the tenant slug it cannot find', async () => {
    const result = await cli('agents', 'list', '--tenant', 'nobody-here')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('no tenant "nobody-here"')
  })
})

describe('managing superfriends', { timeout: 120_000 }, () => {
  it('creates an agent with a persona and a model', async () => {
    const result = await cli('agents', 'create', 'ada', '--name', 'Ada', '--system-prompt', 'You are Ada.', '--model', 'gpt-5-mini', '--provider', 'openai', '--json')
    expect(result.code).toBe(0)
    expect(json(result.stdout)).toMatchObject({
      slug: 'ada', name: 'Ada', persona: { systemPrompt: 'You are Ada.', style: '' }, model: { provider: 'openai', model: 'gpt-5-mini' },
      visibility: 'private', desiredState: 'running', workloadState: 'cold',
    })
  })

  it('refuses a slug that breaks a rule with exit 1, naming the rule and showing no stack', async () => {
    const result = await cli('agents', 'create', 'Bad_Slug')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Slug breaks a rule')
    expect(result.stderr).toContain('rule: charset')
    expect(result.stderr).toContain('422 invalid-slug')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('reports a taken slug as a conflict', async () => {
    const result = await cli('agents', 'create', 'ada')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('409 slug-taken')
  })

  it('lists agents and gets one by slug or by id', async () => {
    await cli('agents', 'create', 'grace')
    const table = await cli('agents', 'list')
    expect(table.stdout).toMatch(/SLUG/)
    expect(table.stdout).toMatch(/\bada\b/)
    expect(table.stdout).toMatch(/\bgrace\b/)

    const listed = json<Array<{ id: string; slug: string }>>((await cli('agents', 'list', '--json')).stdout)
    expect(listed.map((a) => a.slug)).toEqual(['ada', 'grace'])
    const byId = json<{ slug: string }>((await cli('agents', 'get', listed[1]!.id, '--json')).stdout)
    expect(byId.slug).toBe('grace')
    const bySlug = await cli('agents', 'get', 'ada')
    expect(bySlug.stdout).toMatch(/system prompt:\s+You are Ada\./)
    expect(bySlug.stdout).toMatch(/model:\s+openai\/gpt-5-mini/)
  })

  it('updates only what the flags name, keeping the rest of the persona and model', async () => {
    const result = await cli('agents', 'update', 'ada', '--style', 'brief', '--temperature', '0.3', '--visibility', 'public', '--json')
    expect(result.code).toBe(0)
    expect(json(result.stdout)).toMatchObject({
      persona: { systemPrompt: 'You are Ada.', style: 'brief' }, model: { provider: 'openai', model: 'gpt-5-mini', temperature: 0.3 }, visibility: 'public',
    })
    const renamed = await cli('agents', 'update', 'grace', '--slug', 'grace-h')
    expect(renamed.stdout).toContain('Updated agent grace-h')
  })

  it('shows the workload status the API reports', async () => {
    const status = json<{ slug: string; workloadState: string; desiredState: string }>((await cli('agents', 'status', 'ada', '--json')).stdout)
    expect(status).toMatchObject({ slug: 'ada', workloadState: 'cold', desiredState: 'running' })
    const text = await cli('agents', 'status', 'ada')
    expect(text.stdout).toMatch(/workload:\s+cold/)
    expect(text.stdout).toMatch(/last active:\s+never/)
  })

  it('deletes an agent by slug, after which it is gone', async () => {
    const result = await cli('agents', 'delete', 'grace-h')
    expect(result.code).toBe(0)
    const missing = await cli('agents', 'get', 'grace-h')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no agent "grace-h"')
  })
})

describe('API keys', { timeout: 120_000 }, () => {
  let plaintext = ''

  it('creates a key and prints its secret once, on stdout', async () => {
    const result = await cli('keys', 'create', '--name', 'ci', '--scope', 'agents:read', '--scope', 'usage:read')
    expect(result.code).toBe(0)
    plaintext = result.stdout.trim()
    expect(plaintext).toMatch(/^mi_[A-Za-z0-9]+_\S+$/)
    expect(result.stderr).toContain('shown only now')
  })

  it('lists keys without their secrets', async () => {
    const result = await cli('keys', 'list', '--json')
    const keys = json<Array<{ name: string; scopes: string[] }>>(result.stdout)
    expect(keys).toEqual([expect.objectContaining({ name: 'ci', scopes: ['agents:read', 'usage:read'], revokedAt: null })])
    expect(result.stdout).not.toContain(plaintext)
  })

  it('acts with a key given by --key or MYINTELL_API_KEY instead of the login', async () => {
    const other = createCliHome()
    try {
      const byFlag = await runCli(['agents', 'list', '--json', '--key', plaintext, '--api-url', apiUrl], other)
      expect(json<Array<{ slug: string }>>(byFlag.stdout).map((a) => a.slug)).toEqual(['ada'])
      const byEnv = await runCli(['agents', 'list', '--json'], other, { env: { MYINTELL_API_KEY: plaintext, MYINTELL_API_URL: apiUrl } })
      expect(byEnv.code).toBe(0)
      const denied = await runCli(['keys', 'list'], other, { env: { MYINTELL_API_KEY: plaintext, MYINTELL_API_URL: apiUrl } })
      expect(denied.code).toBe(1)
      expect(denied.stderr).toContain('403 insufficient-scope')
    } finally {
      other.remove()
    }
  })

  it('logs in with a key read from stdin, and uses .data/dev-api-key when nothing else is given', async () => {
    const other = createCliHome()
    try {
      const piped = await runCli(['login', '--api-url', apiUrl], other, { input: `${plaintext}\n` })
      expect(piped.code).toBe(0)
      expect(piped.stdout).toContain('as API key')

      const fresh = createCliHome()
      try {
        mkdirSync(join(fresh.cwd, '.data'))
        writeFileSync(join(fresh.cwd, '.data', 'dev-api-key'), `${plaintext}\n`, { mode: 0o600 })
        const result = await runCli(['agents', 'list', '--json', '--api-url', apiUrl], fresh)
        expect(result.code).toBe(0)
        expect(json<Array<{ slug: string }>>(result.stdout).map((a) => a.slug)).toEqual(['ada'])
      } finally {
        fresh.remove()
      }
    } finally {
      other.remove()
    }
  })

  it('revokes a key by id, after which the API refuses it', async () => {
    const [key] = json<Array<{ id: string }>>((await cli('keys', 'list', '--json')).stdout)
    const result = await cli('keys', 'revoke', key!.id)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Revoked API key "ci"')
    expect(result.stdout).not.toContain('Also revoked')
    const refused = await cli('agents', 'list', '--key', plaintext)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/401/)
    expect(refused.stderr).toContain('myintell login')
  })

  it('says how many keys minted from a revoked key were revoked with it', async () => {
    const manager = json<{ id: string; key: string }>((await cli('keys', 'create', '--name', 'manager', '--scope', 'api-keys:write', '--scope', 'agents:read', '--json')).stdout)
    const child = json<{ key: string }>((await cli('keys', 'create', '--name', 'child', '--scope', 'agents:read', '--key', manager.key, '--json')).stdout)
    expect((await cli('agents', 'list', '--key', child.key)).code).toBe(0)

    const result = await cli('keys', 'revoke', manager.id)
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`Revoked API key "manager" (${manager.id}).\nAlso revoked 1 key minted from it (by it, or by keys it minted).\n`)
    expect((await cli('agents', 'list', '--key', child.key)).code).toBe(1)
    // The JSON answer is the API's, count included.
    expect(json((await cli('keys', 'revoke', manager.id, '--json')).stdout)).toMatchObject({ id: manager.id, mintedKeysRevoked: 0 })
  })

  it('refuses to store a key the API does not accept', async () => {
    const other = createCliHome()
    try {
      const result = await runCli(['login', '--key', 'mi_nope_nope', '--api-url', apiUrl], other)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/401/)
    } finally {
      other.remove()
    }
  })
})

describe('usage', { timeout: 120_000 }, () => {
  it('prints daily usage as JSON for the tenant and for one agent', async () => {
    const agent = json<{ id: string; tenantId: string }>((await cli('agents', 'get', 'ada', '--json')).stdout)
    const at = Date.UTC(2026, 2, 10, 12)
    await ingest({
      batchId: 'cli-usage-1',
      items: [{ agentId: agent.id, tenantId: agent.tenantId, from: at, to: at + 60_000, requests: 3, bytesIn: 10, bytesOut: 20, wakes: 1, coldStartMs: 900, tokensIn: 40, tokensOut: 50, activeSeconds: 60, openStreams: 0 }],
    })
    const result = await cli('usage', '--from', '2026-03-09', '--to', '2026-03-12', '--agent', 'ada', '--json')
    expect(result.code).toBe(0)
    const report = json<{ agentId: string; days: Array<{ day: string; requests: number }>; totals: { tokensOut: number; wakes: number } }>(result.stdout)
    expect(report.agentId).toBe(agent.id)
    expect(report.days).toEqual([expect.objectContaining({ requests: 3 })])
    expect(report.days[0]!.day).toContain('2026-03-10')
    expect(report.totals).toMatchObject({ tokensOut: 50, wakes: 1 })

    const table = await cli('usage', '--from', '2026-03-09', '--to', '2026-03-12')
    expect(table.stdout).toMatch(/total\s+3\s+40\s+50\s+1\s+900/)
  })

  it('passes the API\'s range rule through as an error', async () => {
    const result = await cli('usage', '--from', '2026-03-12', '--to', '2026-03-09')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('invalid-range')
  })
})

describe('logging out', { timeout: 120_000 }, () => {
  it('forgets the login, after which commands say how to log in', async () => {
    const result = await cli('logout')
    expect(result.stdout).toContain(`Logged out of ${apiUrl}`)
    const after = await cli('tenants', 'list', '--api-url', apiUrl)
    expect(after.code).toBe(1)
    expect(after.stderr).toContain('not logged in')
  })
})

async function ingest(batch: unknown): Promise<void> {
  const path = '/internal/v1/ingest'
  const headers = new Headers({ 'content-type': 'application/json' })
  const body = new TextEncoder().encode(JSON.stringify(batch))
  await signHeaders(headers, { method: 'POST', host: 'api.myintell.ai', path, body: { kind: 'digest', digest: nodeBodyDigest(body) } }, edgeSecret(SIGNING_SECRET))
  const response = await fetch(`${api.url}${path}`, { method: 'POST', headers, body })
  if (response.status !== 202) throw new Error(`ingest failed: ${response.status} ${await response.text()}`)
}
