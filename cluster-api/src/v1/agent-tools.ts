// What an agent may use besides talking, as the /v1 API takes it: built-in tools and MCP servers on create and update.
// The schemas check the shapes (names, counts, http(s)); checkAgentTools then checks what needs the world: every MCP
// URL against the egress rules (after DNS), every header against the agent's own secrets. Both before anything is
// stored, and each refusal is a 422 naming the field, like every other validation failure.

import { z } from '@hono/zod-openapi'
import {
  BUILTIN_TOOLS, MAX_MCP_SERVERS, MCP_SERVER_NAME, SECRET_NAME, type McpServerConfig,
} from '../../../wire/agent-tools.ts'
import { checkEgressUrl } from '../../../wire/egress.ts'
import { ProblemError } from '../../../wire/problem.ts'
import type { ApiDeps } from '../context.ts'

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/
/** Headers the transport sets itself: an agent's secret must not replace them. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'accept', 'mcp-session-id', 'mcp-protocol-version'])
const MAX_HEADERS = 10
const MAX_URL_LENGTH = 2_048

export const ToolsSchema = z.array(z.enum(BUILTIN_TOOLS)).max(BUILTIN_TOOLS.length)
  .superRefine((tools, ctx) => {
    const seen = new Set<string>()
    tools.forEach((tool, index) => {
      if (seen.has(tool)) ctx.addIssue({ code: 'custom', path: [index], message: `tool "${tool}" is named twice` })
      seen.add(tool)
    })
  })
  .openapi({ description: `Built-in tools the agent may use: ${BUILTIN_TOOLS.join(', ')}. A new agent without this field gets memory and clock.` })

const McpServerSchema = z.strictObject({
  name: z.string().regex(MCP_SERVER_NAME, 'must be 1–32 of [a-z0-9_-], starting with a letter')
    .openapi({ description: 'Namespace of its tools (`<name>__<tool>`)' }),
  url: z.string().max(MAX_URL_LENGTH).refine((raw) => URL.canParse(raw) && ['http:', 'https:'].includes(new URL(raw).protocol), 'must be an http or https URL')
    .openapi({ description: 'Streamable HTTP endpoint (HTTP+SSE as fallback); must not resolve to a private address unless the operator allows it' }),
  headers: z.record(
    z.string().regex(HEADER_NAME, 'must be an HTTP header name').refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), 'is set by the transport itself'),
    z.string().regex(SECRET_NAME, 'must name a secret: [A-Z][A-Z0-9_]{0,63}'),
  ).refine((headers) => Object.keys(headers).length <= MAX_HEADERS, `at most ${MAX_HEADERS} headers`).optional()
    .openapi({ description: 'Header name → the name of one of the agent\'s secrets, whose value is sent' }),
}).openapi('McpServer')

export const McpServersSchema = z.array(McpServerSchema).max(MAX_MCP_SERVERS)
  .superRefine((servers, ctx) => {
    const seen = new Set<string>()
    servers.forEach((server, index) => {
      if (seen.has(server.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `MCP server name "${server.name}" is used twice` })
      seen.add(server.name)
    })
  })
  .openapi({ description: `At most ${MAX_MCP_SERVERS} MCP servers, names unique` })

interface Issue { path: string; message: string; code: string }

function refused(issues: Issue[]): ProblemError {
  return new ProblemError({
    status: 422, code: 'validation-failed', title: 'Request does not match the schema',
    detail: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    extensions: { issues },
  })
}

/**
 * Refuses (422) an MCP server whose URL the egress rules refuse, or whose header names a secret the agent does not
 * have. `secretNames` are the agent's secrets (none for an agent being created).
 */
export async function checkMcpServers(deps: Pick<ApiDeps, 'egress'>, servers: readonly McpServerConfig[], secretNames: ReadonlySet<string>): Promise<void> {
  const issues: Issue[] = []
  await Promise.all(servers.map(async (server, index) => {
    const verdict = await checkEgressUrl(server.url, deps.egress.policy, deps.egress.resolve)
    if (!verdict.ok) issues.push({ path: `mcpServers.${index}.url`, message: `${server.url} ${verdict.reason}`, code: 'egress-refused' })
    for (const [header, secret] of Object.entries(server.headers ?? {})) {
      if (!secretNames.has(secret)) {
        issues.push({ path: `mcpServers.${index}.headers.${header}`, message: `names the secret ${secret}, which this agent does not have`, code: 'unknown-secret' })
      }
    }
  }))
  if (issues.length > 0) throw refused(issues.sort((a, b) => a.path.localeCompare(b.path)))
}

/** The secret names an agent's MCP servers send as headers: a secret in this set is in use. */
export function secretsInUse(servers: readonly McpServerConfig[]): Map<string, string[]> {
  const users = new Map<string, string[]>()
  for (const server of servers) {
    for (const secret of Object.values(server.headers ?? {})) users.set(secret, [...(users.get(secret) ?? []), server.name])
  }
  return users
}
