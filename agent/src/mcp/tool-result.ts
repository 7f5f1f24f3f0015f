// How a tool of the superfriend's MCP server answers: text for every host, structured content for those that read it,
// and a failure as an MCP tool error (`isError: true`) that says what went wrong, never a crash or an internal detail.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Logger } from '../log.ts'
import { ProblemError } from '../../../wire/problem.ts'

export function toolResult(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured }
}

export function toolError(code: string, message: string): CallToolResult {
  // No structuredContent: the SDK's client checks it against the tool's output schema even on an error, so the code a
  // host may key on leads the text instead.
  return { content: [{ type: 'text', text: `${code}: ${message}` }], isError: true }
}

/** Runs a tool: a ProblemError (the same checks the HTTP routes make) becomes its tool error, anything else is logged. */
export async function guarded(tool: string, log: Logger, run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof ProblemError) return toolError(err.code, err.detail ? `${err.title}: ${err.detail}` : err.title)
    log.error({ event: 'mcp-tool-failed', tool, err: { name: (err as Error).name, message: (err as Error).message } }, 'MCP tool failed')
    return toolError('internal', 'The superfriend failed while running this tool.')
  }
}
