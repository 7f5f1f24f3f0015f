// The tools that reach outside the agent: the workspace, http_fetch and the agent's MCP servers. A stub here; the
// `toolsext` engineer writes the real module with this exact signature (the lead takes that version at merge).
import type { ToolSet } from 'ai'
import type { EgressPolicy } from '../../../wire/egress.ts'
import type { BuiltinToolName, McpServerConfig } from '../../../wire/agent-tools.ts'

export interface ExternalToolOptions {
  enabled: readonly BuiltinToolName[]; mcpServers: readonly McpServerConfig[]
  secrets: Readonly<Record<string, string>>; egress: EgressPolicy
  workspaceDir: string | null; workspaceQuotaBytes: number; signal?: AbortSignal
}
export interface ExternalTools { tools: ToolSet; notes: string[]; close(): Promise<void> }
export async function externalTools(o: ExternalToolOptions): Promise<ExternalTools> { return { tools: {}, notes: [], close: async () => {} } }
