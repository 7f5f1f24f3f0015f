// The outside-reaching tools in the real runtime (the bundle as a child process, the local model calling tools):
// an MCP tool with its header from a secret, http_fetch inside and outside the operator's allowlist, the workspace
// in its own directory, and an MCP server that is down, which costs its tools and nothing else. The secret never
// reaches the log.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { startFakeMcpServer } from '../fakes/mcp-server.ts'
import type { FakeMcpServer } from '../fakes/mcp-server.ts'
import { createTestDatabase } from '../support/db.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'

const MCP_TOKEN = 'Bearer mcp-token-for-the-runtime-test'
const workspaceDir = mkdtempSync(join(tmpdir(), 'myintell-runtime-workspace-'))
let mcp: FakeMcpServer
let down: FakeMcpServer
let site: Server
let sitePort: number
let config: RuntimeConfig
let runtime: RuntimeProcess
let call: typeof fetch

const chat = async (message: string) => {
  const res = await call(`${runtime.baseUrl}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) })
  expect(res.status).toBe(200)
  return res.json() as Promise<{ reply: string; toolCalls: Array<{ name: string; args: unknown; result: any; isError: boolean }>; finishReason: string }>
}

beforeAll(async () => {
  mcp = await startFakeMcpServer({ requireHeader: { name: 'authorization', value: MCP_TOKEN } })
  down = await startFakeMcpServer()
  await down.stop()
  site = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('a page on the operator\'s own server'))
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
  sitePort = (site.address() as AddressInfo).port
  config = agentConfig(await createTestDatabase('agent_tools_external'), {
    tools: ['workspace', 'http_fetch'],
    mcpServers: [
      { name: 'calc', url: mcp.url, headers: { authorization: 'CALC_TOKEN' } },
      { name: 'down', url: down.url },
    ],
    secrets: { CALC_TOKEN: MCP_TOKEN },
  })
  runtime = await spawnRuntime({
    config,
    env: { MYINTELL_EGRESS_ALLOW: '127.0.0.1', MYINTELL_WORKSPACE_DIR: workspaceDir, MYINTELL_WORKSPACE_QUOTA_BYTES: '4096' },
  })
  await waitUntilReady(runtime.baseUrl)
  call = signedFetch({ secret: TEST_SECRET, slug: config.slug })
})
afterAll(async () => {
  await runtime?.stop()
  await mcp?.close()
  await down?.close()
  site?.closeAllConnections()
  await new Promise((resolve) => site?.close(resolve))
  rmSync(workspaceDir, { recursive: true, force: true })
})

describe('tools that reach outside, in the runtime', () => {
  it('calls an MCP tool with the header from the agent secret, and the model reads its result', async () => {
    const body = await chat('call calc__add {"a":19,"b":23}')
    expect(body.toolCalls).toEqual([expect.objectContaining({ name: 'calc__add', args: { a: 19, b: 23 }, isError: false, result: '42' })])
    expect(body.reply).toContain('calc__add returned 42')
    expect(mcp.calls.at(-1)).toMatchObject({ tool: 'add', headers: { authorization: MCP_TOKEN } })
  })

  it('has no tools from a server that is down, and the turn goes on', async () => {
    const body = await chat('call down__echo {"text":"anyone?"}')
    expect(body.toolCalls[0]).toMatchObject({ name: 'down__echo', isError: true })
    expect(body.finishReason).toBe('stop')
  })

  it('fetches the operator\'s own server on the allowlist, and refuses cloud metadata', async () => {
    const allowed = await chat(`call http_fetch {"url":"http://127.0.0.1:${sitePort}/"}`)
    expect(allowed.toolCalls[0]).toMatchObject({ isError: false, result: { status: 200, body: 'a page on the operator\'s own server' } })
    const refused = await chat('call http_fetch {"url":"http://169.254.169.254/latest/meta-data/"}')
    expect(refused.toolCalls[0]).toMatchObject({ isError: true, result: { error: expect.stringMatching(/169\.254\.169\.254.*private or reserved address/) } })
    expect(refused.reply).toContain('http_fetch failed')
  })

  it('writes in the agent workspace and refuses a path out of it', async () => {
    const written = await chat('call workspace_write {"path":"notes/hello.txt","content":"hello from the runtime"}')
    expect(written.toolCalls[0]).toMatchObject({ isError: false, result: { path: 'notes/hello.txt', size: 22 } })
    expect(readFileSync(join(workspaceDir, 'notes/hello.txt'), 'utf8')).toBe('hello from the runtime')
    const out = await chat('call workspace_read {"path":"../../etc/passwd"}')
    expect(out.toolCalls[0]).toMatchObject({ isError: true, result: { error: expect.stringMatching(/leads out of the workspace/) } })
    const overQuota = await chat(`call workspace_write {"path":"big.txt","content":"${'x'.repeat(5000)}"}`)
    expect(overQuota.toolCalls[0]).toMatchObject({ isError: true, result: { error: expect.stringMatching(/quota is 4096 bytes/) } })
  })

  it('never writes the MCP secret to its log', () => {
    expect(runtime.stderr()).not.toContain('mcp-token-for-the-runtime-test')
  })
})
