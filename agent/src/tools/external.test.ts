// externalTools assembles a turn's outside-reaching tools from what the agent enables: only those, with the notes of
// servers that could not be reached, and a close that ends what the turn opened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { egressPolicy } from '../../../wire/egress.ts'
import { startFakeMcpServer } from '../../../test/fakes/mcp-server.ts'
import type { FakeMcpServer } from '../../../test/fakes/mcp-server.ts'
import { externalTools } from './external.ts'
import type { ExternalToolOptions } from './external.ts'
import { clearMcpListCache } from './mcp.ts'

let mcp: FakeMcpServer
beforeAll(async () => { mcp = await startFakeMcpServer() })
afterAll(async () => { await mcp.close() })

const options = (o: Partial<ExternalToolOptions>): ExternalToolOptions => ({
  enabled: [], mcpServers: [], secrets: {}, egress: egressPolicy('127.0.0.1'), workspaceDir: null, workspaceQuotaBytes: 0, ...o,
})

describe('externalTools', () => {
  it('gives no tools to an agent that enables none of them', async () => {
    const set = await externalTools(options({ enabled: ['memory', 'clock'] }))
    expect(set.tools).toEqual({})
    expect(set.notes).toEqual([])
    await set.close()
  })

  it('gives the workspace tools, http_fetch and the MCP tools for what is enabled', async () => {
    clearMcpListCache()
    const set = await externalTools(options({ enabled: ['workspace', 'http_fetch', 'memory'], mcpServers: [{ name: 'calc', url: mcp.url }] }))
    expect(Object.keys(set.tools).sort()).toEqual([
      'calc__add', 'calc__echo', 'calc__fail', 'calc__slow', 'http_fetch', 'workspace_delete', 'workspace_list', 'workspace_read', 'workspace_write',
    ])
    await set.close()
    await set.close()
  })

  it('gives MCP tools without http_fetch when only servers are configured', async () => {
    const set = await externalTools(options({ mcpServers: [{ name: 'calc', url: mcp.url }, { name: 'gone', url: 'http://127.0.0.1:9/mcp' }] }))
    expect(Object.keys(set.tools)).not.toContain('http_fetch')
    expect(Object.keys(set.tools)).toContain('calc__echo')
    expect(set.notes).toEqual([expect.stringMatching(/^MCP server `gone` is unavailable this turn: /)])
    await set.close()
  })
})
