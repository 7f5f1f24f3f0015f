// The tools of one turn, as an AI SDK ToolSet: the built-in tools the agent's config enables (memory and clock here,
// workspace, http_fetch and MCP servers from external.ts), with notes for the system prompt about what is unavailable.
// An absent `config.tools` means none (wire/runtime.ts); a name the runtime does not know is left out with a note.
import type { ToolSet } from 'ai'
import { isBuiltinTool, type BuiltinToolName } from '../../../wire/agent-tools.ts'
import type { EgressPolicy } from '../../../wire/egress.ts'
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import type { TenantDb } from '../db/tenant-db.ts'
import type { Caller } from '../http/caller.ts'
import type { Logger } from '../log.ts'
import { clockTool } from './clock.ts'
import { delegateTools } from './delegates.ts'
import { externalTools } from './external.ts'
import { memoryTool } from './memory.ts'

/** What the runtime's settings say about tools (agent/src/config/env.ts). */
export interface ToolSettings {
  egress: EgressPolicy
  workspaceDir: string | null
  workspaceQuotaBytes: number
  /** The cluster-api, through which delegates are consulted (MYINTELL_PLATFORM_URL); absent or null: no delegates. */
  platformUrl?: string | null
}

export interface TurnToolsContext {
  config: RuntimeConfig
  db: TenantDb
  caller: Caller
  settings: ToolSettings
  log: Logger
  signal?: AbortSignal
  onRemember?: (memory: { id: string; content: string }) => void
}

export interface TurnTools {
  tools: ToolSet
  /** Lines for the system prompt (an MCP server that is down, a tool that is unavailable). */
  notes: string[]
  /** Releases what the turn opened (MCP connections); call once after the turn. */
  close(): Promise<void>
}

export const DEFAULT_TIMEZONE = 'UTC'

export async function assembleTools(ctx: TurnToolsContext): Promise<TurnTools> {
  const names = ctx.config.tools ?? []
  const enabled = names.filter(isBuiltinTool) as BuiltinToolName[]
  const notes = names.filter((n) => !isBuiltinTool(n)).map((n) => `The tool "${n}" is not available in this runtime.`)
  const tools: ToolSet = {}
  if (enabled.includes('memory')) tools.memory = memoryTool({ db: ctx.db, agentId: ctx.config.agentId, caller: ctx.caller, ...(ctx.onRemember ? { onRemember: ctx.onRemember } : {}) })
  if (enabled.includes('clock')) tools.clock = clockTool({ timezone: ctx.config.timezone ?? DEFAULT_TIMEZONE })
  // Delegates are named by the platform, so no built-in or external tool shares their `delegate_` prefix.
  Object.assign(tools, delegateTools({ config: ctx.config, platformUrl: ctx.settings.platformUrl ?? null, ...(ctx.signal ? { signal: ctx.signal } : {}) }))

  const mcpServers = ctx.config.mcpServers ?? []
  const wantsExternal = enabled.some((n) => n === 'workspace' || n === 'http_fetch') || mcpServers.length > 0
  if (!wantsExternal) return { tools, notes, close: async () => {} }
  try {
    const external = await externalTools({
      enabled, mcpServers, secrets: ctx.config.secrets, egress: ctx.settings.egress,
      // The agent's own directory from its config (a warm-pool runtime learns it at assignment), else the env's.
      workspaceDir: ctx.config.workspaceDir ?? ctx.settings.workspaceDir, workspaceQuotaBytes: ctx.settings.workspaceQuotaBytes,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    })
    // Our own tools keep their names: an external tool cannot stand in for memory or clock.
    return { tools: { ...external.tools, ...tools }, notes: [...notes, ...external.notes], close: () => external.close() }
  } catch (err) {
    ctx.log.warn({ event: 'external-tools-failed', message: (err as Error).message }, 'external tools unavailable for this turn')
    return { tools, notes: [...notes, 'Your workspace, web and MCP tools are unavailable for this reply.'], close: async () => {} }
  }
}
