// `myintell secrets` and the tool flags of `agents create|update`, run as a child process against a real cluster-api
// on a real PostgreSQL: values go in by argument or stdin, never come out, and reach the agent's runtime config.

import { randomBytes } from 'node:crypto'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterApi, type ClusterApi } from '../../../cluster-api/src/server.ts'
import { createTestDatabase } from '../../../test/support/db.ts'
import { createCliHome, runCli, type CliHome } from '../../test-support/run-cli.ts'

let api: ClusterApi
let home: CliHome

beforeAll(async () => {
  api = await startClusterApi({
    databaseUrl: await createTestDatabase('cli_secrets'), signingSecret: 'cli-secrets-signing-secret-0123456789abcdef', logger: pino({ level: 'silent' }),
    // The MCP URL check resolves names: a stand-in DNS keeps the test off the network.
    resolveHost: async (host) => (host === 'mcp.example.test' ? ['93.184.216.34'] : Promise.reject(new Error(`ENOTFOUND ${host}`))),
    tenantDatabases: { name: 'postgres', provision: async (t) => `postgres://u:p@127.0.0.1:1/${t.slug}`, drop: async () => {} },
  })
  home = createCliHome()
  const login = await runCli(['login', '--dev', '--email', 'secrets@example.test', '--api-url', `http://api.localhost:${api.port}`], home)
  if (login.code !== 0) throw new Error(login.stderr)
  const tenant = await runCli(['tenants', 'create', 'cli-secrets'], home)
  if (tenant.code !== 0) throw new Error(tenant.stderr)
})
afterAll(async () => {
  await api?.close()
  home?.remove()
})

const cli = (args: string[], input?: string) => runCli(args, home, input === undefined ? {} : { input })
const specOf = async (slug: string) => (await api.workloads.desiredSpecs()).find((spec) => spec.slug === slug)!

describe('myintell secrets', { timeout: 120_000 }, () => {
  it('sets a secret from an argument and from stdin, lists names only, and removes it', async () => {
    expect((await cli(['agents', 'create', 'cli-secret-agent'])).code).toBe(0)
    const fromArg = await cli(['secrets', 'set', 'cli-secret-agent', 'OPENAI_BASE_URL', 'http://127.0.0.1:11434/v1'])
    expect(fromArg.code).toBe(0)
    expect(fromArg.stdout).toBe('Set OPENAI_BASE_URL of cli-secret-agent.\n')
    const value = `sk-${randomBytes(8).toString('hex')}`
    const fromStdin = await cli(['secrets', 'set', 'cli-secret-agent', 'OPENAI_API_KEY', '--from-stdin'], `${value}\n`)
    expect(fromStdin.code).toBe(0)
    expect(fromStdin.stdout + fromStdin.stderr).not.toContain(value)

    const table = await cli(['secrets', 'list', 'cli-secret-agent'])
    expect(table.stdout).toMatch(/OPENAI_API_KEY/)
    expect(table.stdout).toMatch(/OPENAI_BASE_URL/)
    expect(table.stdout).not.toContain(value)
    const listed = JSON.parse((await cli(['secrets', 'list', 'cli-secret-agent', '--json'])).stdout) as Array<Record<string, unknown>>
    expect(listed.map((s) => s.name)).toEqual(['OPENAI_API_KEY', 'OPENAI_BASE_URL'])
    expect(JSON.stringify(listed)).not.toContain(value)
    expect((await specOf('cli-secret-agent')).secrets).toMatchObject({ OPENAI_API_KEY: value, OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' })

    const removed = await cli(['secrets', 'rm', 'cli-secret-agent', 'OPENAI_API_KEY'])
    expect(removed.code).toBe(0)
    expect((await specOf('cli-secret-agent')).secrets.OPENAI_API_KEY).toBeUndefined()
    const again = await cli(['secrets', 'rm', 'cli-secret-agent', 'OPENAI_API_KEY'])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('404 not-found')
  })

  it('refuses a bad name before asking the platform, and an empty value', async () => {
    const bad = await cli(['secrets', 'set', 'cli-secret-agent', 'lower_case', 'x'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('upper-case')
    const empty = await cli(['secrets', 'set', 'cli-secret-agent', 'EMPTY', '--from-stdin'], '\n')
    expect(empty.code).toBe(2)
    expect((await cli(['secrets', 'list', 'cli-secret-agent', '--json'])).stdout).not.toContain('EMPTY')
  })
})

describe('tools and MCP servers on agents', { timeout: 120_000 }, () => {
  it('creates an agent with tools and an MCP server, then adds a header naming its secret', async () => {
    const created = await cli(['agents', 'create', 'cli-tools-agent', '--tool', 'memory', '--tool', 'http_fetch', '--mcp', 'search=https://mcp.example.test/mcp', '--json'])
    expect(created.code).toBe(0)
    expect(JSON.parse(created.stdout)).toMatchObject({ tools: ['memory', 'http_fetch'], mcpServers: [{ name: 'search', url: 'https://mcp.example.test/mcp' }] })

    const refused = await cli(['agents', 'update', 'cli-tools-agent', '--mcp-header', 'search:authorization=SEARCH_TOKEN'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('mcpServers.0.headers.authorization')
    expect(refused.stderr).toContain('422')

    expect((await cli(['secrets', 'set', 'cli-tools-agent', 'SEARCH_TOKEN', 'Bearer s3cret'])).code).toBe(0)
    const updated = await cli(['agents', 'update', 'cli-tools-agent', '--mcp-header', 'search:authorization=SEARCH_TOKEN'])
    expect(updated.code).toBe(0)
    const shown = await cli(['agents', 'get', 'cli-tools-agent'])
    expect(shown.stdout).toMatch(/tools:\s+memory, http_fetch/)
    expect(shown.stdout).toContain('search=https://mcp.example.test/mcp (authorization: SEARCH_TOKEN)')
    expect(shown.stdout).not.toContain('s3cret')
    const spec = await specOf('cli-tools-agent')
    expect(spec.mcpServers).toEqual([{ name: 'search', url: 'https://mcp.example.test/mcp', headers: { authorization: 'SEARCH_TOKEN' } }])

    const rmInUse = await cli(['secrets', 'rm', 'cli-tools-agent', 'SEARCH_TOKEN'])
    expect(rmInUse.code).toBe(1)
    expect(rmInUse.stderr).toContain('409 secret-in-use')

    expect((await cli(['agents', 'update', 'cli-tools-agent', '--no-tools', '--no-mcp'])).code).toBe(0)
    expect(await specOf('cli-tools-agent')).toMatchObject({ tools: [], mcpServers: [] })
  })

  it('refuses an unknown tool and a malformed --mcp before asking the platform', async () => {
    const tool = await cli(['agents', 'create', 'cli-bad-tool', '--tool', 'shell'])
    expect(tool.code).toBe(2)
    expect(tool.stderr).toContain('--tool must be one of')
    const mcp = await cli(['agents', 'create', 'cli-bad-mcp', '--mcp', 'no-url'])
    expect(mcp.code).toBe(2)
    expect(mcp.stderr).toContain('NAME=URL')
    const refusedUrl = await cli(['agents', 'create', 'cli-private-mcp', '--mcp', 'meta=http://169.254.169.254/'])
    expect(refusedUrl.code).toBe(1)
    expect(refusedUrl.stderr).toContain('mcpServers.0.url')
    expect((await cli(['agents', 'list'])).stdout).not.toMatch(/cli-bad|cli-private/)
  })
})
