// One POST /mcp: a server and a stateless transport for this request alone, acting for the caller the edge signed.
// Loaded on the first MCP request (routes/mcp-routes.ts), so a runtime nobody reaches by MCP never parses the SDK.
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { TurnDeps } from '../chat/turn.ts'
import type { Caller } from '../http/caller.ts'
import type { AgentContext } from '../routes/agent-context.ts'
import { superfriendServer } from './superfriend-server.ts'

export async function handleMcpRequest(req: Request, ctx: AgentContext, deps: TurnDeps, caller: Caller): Promise<Response> {
  const server = superfriendServer(ctx, deps, caller)
  // No session (sessionIdGenerator undefined): nothing to lose in a sleep, nothing another replica must know.
  // JSON answers rather than an SSE stream: every tool answers once, and a plain response passes any proxy.
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
  await server.connect(transport)
  try {
    // Resolves once every answer of the request is in the response (JSON mode), so closing after it loses nothing.
    return await transport.handleRequest(req)
  } finally {
    void server.close()
  }
}
