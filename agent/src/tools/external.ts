// The tools of a turn that reach outside the runtime: the workspace (the file system), http_fetch and the agent's MCP
// servers (the network, through one egress-checked fetch). The tool loop merges these with the in-process tools.
import type { ToolSet } from 'ai'
import type { EgressPolicy } from '../../../wire/egress.ts'
import type { BuiltinToolName, McpServerConfig } from '../../../wire/agent-tools.ts'
import { egressFetch, systemResolver } from './egress-fetch.ts'
import type { EgressFetch, Resolver } from './egress-fetch.ts'
import { httpFetchTool } from './http-fetch.ts'
import { workspaceTools } from './workspace.ts'

export interface ExternalToolOptions {
  enabled: readonly BuiltinToolName[]
  mcpServers: readonly McpServerConfig[]
  secrets: Readonly<Record<string, string>>
  egress: EgressPolicy
  /** The agent's own directory; null: the workspace tools answer that none is configured. */
  workspaceDir: string | null
  /** Bytes all files of the workspace may take together; 0: nothing can be written. */
  workspaceQuotaBytes: number
  /** The turn's signal: aborts MCP listing and every running call. */
  signal?: AbortSignal
  /** How host names resolve (the system resolver; tests give their own to play DNS rebinding). */
  resolve?: Resolver
}

export interface ExternalTools {
  tools: ToolSet
  /** Lines for the system prompt, e.g. "MCP server `x` is unavailable this turn: …". */
  notes: string[]
  /** Closes MCP sessions and pooled connections; call it when the turn ends. */
  close(): Promise<void>
}

/** Builds the turn's external tools from what the agent enables; a server that fails becomes a note, not an error. */
export async function externalTools(o: ExternalToolOptions): Promise<ExternalTools> {
  const tools: ToolSet = {}
  const notes: string[] = []
  const closers: (() => Promise<void>)[] = []

  if (o.enabled.includes('workspace')) Object.assign(tools, workspaceTools({ dir: o.workspaceDir, quotaBytes: o.workspaceQuotaBytes }))

  let net: EgressFetch | undefined
  if (o.enabled.includes('http_fetch') || o.mcpServers.length > 0) {
    net = await egressFetch(o.egress, o.resolve ?? systemResolver)
    closers.push(net.close)
  }
  if (net && o.enabled.includes('http_fetch')) tools.http_fetch = httpFetchTool({ fetch: net.fetch, signal: o.signal })
  if (net && o.mcpServers.length > 0) {
    // The MCP SDK is loaded only by agents that have servers: an idle runtime of any other agent never holds it.
    const { mcpTools } = await import('./mcp.ts')
    const mcp = await mcpTools({ servers: o.mcpServers, secrets: o.secrets, fetch: net.fetch, signal: o.signal })
    notes.push(...mcp.notes)
    // A built-in name wins: an MCP tool cannot take its place (MCP names always carry the `__` separator anyway).
    for (const [name, t] of Object.entries(mcp.tools)) if (!(name in tools)) tools[name] = t
    closers.unshift(mcp.close)
  }

  return {
    tools,
    notes,
    // MCP sessions first (they may send a last request), then the connection pool.
    close: async () => { for (const close of closers) await close().catch(() => {}) },
  }
}
