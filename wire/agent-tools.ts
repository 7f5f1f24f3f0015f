// What an agent may use besides talking: the built-in tools it enables and the MCP servers it names. The cluster-api
// validates agents against these shapes and hands them to the runtime in its RuntimeConfig; the runtime builds its
// tool loop from them. One list, so a name the API accepts is one the runtime implements.

/**
 * Built-in tools, each enabled per agent:
 * - `memory`: remember, forget and search long-term memories (the model decides what to keep);
 * - `workspace`: list, read, write and delete files in the agent's own workspace (bounded, no way out of it);
 * - `http_fetch`: GET and POST public URLs (egress rules: never private addresses unless the operator allows them);
 * - `clock`: the current time in the agent's timezone;
 * - `schedule`: the agent schedules runs for itself (issue 17; accepted once the runtime implements it).
 */
export const BUILTIN_TOOLS = ['memory', 'workspace', 'http_fetch', 'clock'] as const
export type BuiltinToolName = (typeof BUILTIN_TOOLS)[number]

/** Tools a new agent gets when it names none: safe ones that reach nothing outside the agent. */
export const DEFAULT_TOOLS: readonly BuiltinToolName[] = ['memory', 'clock']

const BUILTIN_SET: ReadonlySet<string> = new Set(BUILTIN_TOOLS)
export function isBuiltinTool(name: string): name is BuiltinToolName {
  return BUILTIN_SET.has(name)
}

/** An MCP server of an agent. Header values are never stored here: each names one of the agent's secrets. */
export interface McpServerConfig {
  /** Namespace of its tools (`<name>__<tool>`): 1–32 of [a-z0-9_-], starting with a letter. */
  name: string
  /** Streamable HTTP endpoint (the older HTTP+SSE transport is tried when it refuses); http or https only. */
  url: string
  /** Header name → the name of an agent secret whose value is sent (e.g. `{ authorization: 'GITHUB_MCP_TOKEN' }`). */
  headers?: Record<string, string>
}

export const MCP_SERVER_NAME = /^[a-z][a-z0-9_-]{0,31}$/
/** Secret names: upper-case letters, digits and underscores, starting with a letter, at most 64. */
export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/
/** A secret's value is at most this many bytes (UTF-8). */
export const MAX_SECRET_VALUE_BYTES = 16 * 1024
/** MCP servers per agent: each is listed at the start of a turn. */
export const MAX_MCP_SERVERS = 10
/** Separates an MCP server's name from its tool's name in the names the model sees. */
export const MCP_TOOL_SEPARATOR = '__'
