// An agent's MCP servers through externalTools, against the real MCP double (official SDK, node:http): tools listed
// and namespaced, called through the AI SDK, headers from secrets, the SSE fallback, the brief list cache, and every
// way a server can be unavailable (down, bad credentials, missing secret, refused address) as a note, not a failure.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { egressPolicy } from '../../../wire/egress.ts'
import type { McpServerConfig } from '../../../wire/agent-tools.ts'
import { startFakeMcpServer } from '../../../test/fakes/mcp-server.ts'
import type { FakeMcpServer } from '../../../test/fakes/mcp-server.ts'
import { isError, offeredTools, runTool, runToolCalls } from '../../../test/support/scripted-tool-model.ts'
import { egressFetch } from './egress-fetch.ts'
import { externalTools } from './external.ts'
import type { ExternalTools } from './external.ts'
import { clearMcpListCache, mcpTools } from './mcp.ts'

let mcp: FakeMcpServer
let guarded: FakeMcpServer
beforeAll(async () => {
  mcp = await startFakeMcpServer()
  guarded = await startFakeMcpServer({ requireHeader: { name: 'authorization', value: 'Bearer mcp-s3cret' }, name: 'guarded' })
})
afterAll(async () => { await mcp.close(); await guarded.close() })
beforeEach(() => clearMcpListCache())

const open: ExternalTools[] = []
afterEach(async () => { await Promise.all(open.splice(0).map((t) => t.close())) })

async function agentTools(servers: McpServerConfig[], o: { allow?: string; secrets?: Record<string, string> } = {}) {
  const tools = await externalTools({
    enabled: [], mcpServers: servers, secrets: o.secrets ?? {}, egress: egressPolicy('allow' in o ? o.allow : '127.0.0.1'),
    workspaceDir: null, workspaceQuotaBytes: 0,
  })
  open.push(tools)
  return tools
}

describe('MCP servers up', () => {
  it('offers the server tools as <server>__<tool> with their JSON schemas passed through', async () => {
    const { tools, notes } = await agentTools([{ name: 'calc', url: mcp.url }])
    expect(notes).toEqual([])
    expect(Object.keys(tools).sort()).toEqual(['calc__add', 'calc__echo', 'calc__fail', 'calc__slow'])
    const offered = await offeredTools(tools)
    expect(offered.find((t) => t.name === 'calc__add')).toMatchObject({
      type: 'function', description: 'Adds two numbers',
      inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    })
  })

  it('calls a tool through the AI SDK and gives the model its text', async () => {
    const { tools } = await agentTools([{ name: 'calc', url: mcp.url }])
    const before = mcp.calls.length
    const result = await runTool(tools, 'calc__add', { a: 19, b: 23 })
    expect(result).toEqual({ toolName: 'calc__add', type: 'text', value: '42' })
    expect(mcp.calls.slice(before)).toMatchObject([{ tool: 'add', args: { a: 19, b: 23 }, transport: 'streamable-http' }])
  })

  it('returns an MCP tool error (isError) to the model as an error it can read', async () => {
    const { tools } = await agentTools([{ name: 'calc', url: mcp.url }])
    const result = await runTool(tools, 'calc__fail', { reason: 'out of paper' })
    expect(result).toMatchObject({ type: 'error-text', value: expect.stringContaining('fail: out of paper') })
  })

  it('returns arguments the server rejects to the model as an error', async () => {
    const { tools } = await agentTools([{ name: 'calc', url: mcp.url }])
    const result = await runTool(tools, 'calc__add', { a: 'nineteen' })
    expect(isError(result)).toBe(true)
    expect(String(result.value)).toMatch(/invalid arguments for tool add.*expected number/is)
  })

  it('sends a header whose value comes from the named secret', async () => {
    const { tools, notes } = await agentTools([{ name: 'guarded', url: guarded.url, headers: { authorization: 'GUARDED_TOKEN' } }], { secrets: { GUARDED_TOKEN: 'Bearer mcp-s3cret' } })
    expect(notes).toEqual([])
    const before = guarded.calls.length
    expect(await runTool(tools, 'guarded__echo', { text: 'hi' })).toMatchObject({ type: 'text', value: 'hi' })
    expect(guarded.calls.slice(before)[0]?.headers.authorization).toBe('Bearer mcp-s3cret')
  })

  it('falls back to the older HTTP+SSE transport when the server refuses Streamable HTTP', async () => {
    const { tools, notes } = await agentTools([{ name: 'legacy', url: mcp.sseUrl }])
    expect(notes).toEqual([])
    const before = mcp.calls.length
    expect(await runTool(tools, 'legacy__echo', { text: 'over sse' })).toMatchObject({ type: 'text', value: 'over sse' })
    expect(mcp.calls.slice(before)).toMatchObject([{ tool: 'echo', transport: 'sse' }])
  })

  it('keeps a server tool list briefly: the next turn lists nothing and connects only to call', async () => {
    await agentTools([{ name: 'calc', url: mcp.url }])
    const before = mcp.requests.length
    const { tools } = await agentTools([{ name: 'calc', url: mcp.url }])
    expect(Object.keys(tools)).toContain('calc__echo')
    expect(mcp.requests.length).toBe(before)
    expect(await runTool(tools, 'calc__echo', { text: 'lazy' })).toMatchObject({ value: 'lazy' })
    expect(mcp.requests.slice(before).flatMap((r) => r.rpc)).not.toContain('tools/list')
  })

  it('makes MCP tool names fit what providers accept and calls the original name', async () => {
    const odd = await startFakeMcpServer({ tools: [{ name: 'get.weather', inputSchema: { city: z.string() }, run: ({ city }) => ({ content: [{ type: 'text', text: `sunny in ${city}` }] }) }] })
    try {
      const { tools } = await agentTools([{ name: 'wx', url: odd.url }])
      expect(Object.keys(tools)).toEqual(['wx__get_weather'])
      expect(await runTool(tools, 'wx__get_weather', { city: 'Oslo' })).toMatchObject({ value: 'sunny in Oslo' })
      expect(odd.calls.map((c) => c.tool)).toEqual(['get.weather'])
    } finally {
      await odd.close()
    }
  })

  it('gives up on a call that takes longer than its time-out, as an error the model reads', async () => {
    const net = await egressFetch(egressPolicy('127.0.0.1'))
    const set = await mcpTools({ servers: [{ name: 'calc', url: mcp.url }], secrets: {}, fetch: net.fetch, callTimeoutMs: 200 })
    try {
      const result = await runTool(set.tools, 'calc__slow', { ms: 10_000 })
      expect(isError(result)).toBe(true)
      expect(String(result.value)).toMatch(/slow on MCP server calc failed: .*timed out/i)
    } finally {
      await set.close()
      await net.close()
    }
  })
})

describe('MCP servers unavailable', () => {
  it('leaves out a server that is down, with a note, and keeps the others', async () => {
    const down = await startFakeMcpServer()
    await down.stop()
    const { tools, notes } = await agentTools([{ name: 'down', url: down.url }, { name: 'calc', url: mcp.url }])
    expect(Object.keys(tools).some((n) => n.startsWith('down__'))).toBe(false)
    expect(Object.keys(tools)).toContain('calc__add')
    expect(notes).toEqual([expect.stringMatching(/^MCP server `down` is unavailable this turn: .*ECONNREFUSED/)])
    // The turn goes on: the model still calls the server that is up.
    expect(await runTool(tools, 'calc__add', { a: 1, b: 2 })).toMatchObject({ value: '3' })
  })

  it('notices a server that came back up, and one that went down after its list was kept', async () => {
    const flaky = await startFakeMcpServer()
    try {
      await flaky.stop()
      expect((await agentTools([{ name: 'flaky', url: flaky.url }])).notes).toHaveLength(1)
      await flaky.start()
      const up = await agentTools([{ name: 'flaky', url: flaky.url }])
      expect(up.notes).toEqual([])
      expect(Object.keys(up.tools)).toContain('flaky__echo')
      // Down again while its list is still kept: the tool is offered, and calling it is an error the model reads.
      await flaky.stop()
      const kept = await agentTools([{ name: 'flaky', url: flaky.url }])
      const result = await runTool(kept.tools, 'flaky__echo', { text: 'anyone?' })
      expect(isError(result)).toBe(true)
      expect(String(result.value)).toMatch(/MCP server flaky is unavailable/)
    } finally {
      await flaky.close()
    }
  })

  it('leaves out a server that accepts the connection but does not answer in time', async () => {
    const silent = createServer(() => { /* holds every request */ })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const net = await egressFetch(egressPolicy('127.0.0.1'))
    try {
      const set = await mcpTools({ servers: [{ name: 'silent', url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/mcp` }], secrets: {}, fetch: net.fetch, listTimeoutMs: 200 })
      expect(set.tools).toEqual({})
      expect(set.notes).toEqual(['MCP server `silent` is unavailable this turn: no answer within 0.2 s'])
      await set.close()
    } finally {
      await net.close()
      silent.closeAllConnections()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('leaves out a tool whose namespaced name would be too long or clash, with a note', async () => {
    const long = 'x'.repeat(60)
    const clash = await startFakeMcpServer({ tools: [
      { name: long, inputSchema: {}, run: () => ({ content: [] }) },
      { name: 'a.b', inputSchema: {}, run: () => ({ content: [] }) },
      { name: 'a_b', inputSchema: {}, run: () => ({ content: [] }) },
    ] })
    try {
      const { tools, notes } = await agentTools([{ name: 'srv', url: clash.url }])
      expect(Object.keys(tools)).toEqual(['srv__a_b'])
      expect(notes).toHaveLength(2)
      expect(notes[0]).toMatch(new RegExp(`its tool \`${long}\` is left out`))
      expect(notes[1]).toMatch(/its tool `a_b` is left out .*clashes/)
    } finally {
      await clash.close()
    }
  })

  it('leaves out a server whose header names a secret the agent does not have, without contacting it', async () => {
    const before = guarded.requests.length
    const { tools, notes } = await agentTools([{ name: 'guarded', url: guarded.url, headers: { authorization: 'MISSING_TOKEN' } }])
    expect(tools).toEqual({})
    expect(notes).toEqual(['MCP server `guarded` is unavailable this turn: its header authorization names the secret MISSING_TOKEN, which this agent does not have'])
    expect(guarded.requests.length).toBe(before)
  })

  it('leaves out a server that refuses the credentials', async () => {
    const { tools, notes } = await agentTools([{ name: 'guarded', url: guarded.url, headers: { authorization: 'GUARDED_TOKEN' } }], { secrets: { GUARDED_TOKEN: 'Bearer wrong' } })
    expect(tools).toEqual({})
    expect(notes).toEqual([expect.stringMatching(/`guarded` is unavailable this turn: .*401/)])
  })

  it.each([
    ['127.0.0.1 without the allowlist', () => mcp.url],
    ['10.0.0.1', () => 'http://10.0.0.1/mcp'],
    ['169.254.169.254', () => 'http://169.254.169.254/mcp'],
  ])('refuses an MCP server at %s before connecting', async (_, url) => {
    const before = mcp.requests.length
    const { tools, notes } = await agentTools([{ name: 'inside', url: url() }], { allow: undefined })
    expect(tools).toEqual({})
    expect(notes).toEqual([expect.stringMatching(/`inside` is unavailable this turn: .*private or reserved address/)])
    expect(mcp.requests.length).toBe(before)
  })
})

describe('several tools in one step', () => {
  it('runs MCP and built-in calls side by side', async () => {
    const { tools } = await agentTools([{ name: 'calc', url: mcp.url }, { name: 'guarded', url: guarded.url, headers: { authorization: 'T' } }], { secrets: { T: 'Bearer mcp-s3cret' } })
    const results = await runToolCalls(tools, [
      { toolName: 'calc__add', input: { a: 2, b: 3 } },
      { toolName: 'guarded__echo', input: { text: 'x' } },
      { toolName: 'calc__fail', input: {} },
    ])
    expect(results.map((r) => [r.toolName, isError(r)])).toEqual([['calc__add', false], ['guarded__echo', false], ['calc__fail', true]])
  })
})
