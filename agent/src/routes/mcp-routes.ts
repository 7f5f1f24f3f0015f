// POST /mcp: the superfriend's MCP server (Streamable HTTP, stateless: no session, so a sleep and a wake lose
// nothing); GET and DELETE /mcp answer 405, as the transport spec says for a server without standalone streams.
import { Hono } from 'hono'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { AppEnv } from '../http/app-env.ts'
import { requestCaller } from '../http/caller.ts'
import type { TurnDeps } from '../chat/turn.ts'
import { superfriendServer } from '../mcp/superfriend-server.ts'
import type { AgentContext } from './agent-context.ts'

export const MCP_PATH = '/mcp'

/** JSON-RPC's "server error" range; the SDK's own transport uses it for a refused method too. */
const METHOD_NOT_ALLOWED_CODE = -32000

export function mcpRoutes(ctx: AgentContext, deps: TurnDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post(MCP_PATH, async (c) => {
    // A server and a transport per request: the caller is the one the edge signed for this request, nothing is kept.
    const server = superfriendServer(ctx, deps, requestCaller(c))
    // JSON answers rather than an SSE stream: every tool answers once, and a plain response passes any proxy.
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
    await server.connect(transport)
    try {
      // Resolves once every answer of the request is in the response (JSON mode), so closing after it loses nothing.
      return await transport.handleRequest(c.req.raw)
    } finally {
      void server.close()
    }
  })

  app.on(['GET', 'DELETE'], MCP_PATH, (c) => c.json(
    { jsonrpc: '2.0', error: { code: METHOD_NOT_ALLOWED_CODE, message: 'Method not allowed: this MCP server is stateless; send POST.' }, id: null },
    405, { allow: 'POST' },
  ))
  return app
}
