// POST /mcp: the superfriend's MCP server (Streamable HTTP, stateless: no session, so a sleep and a wake lose
// nothing); GET and DELETE /mcp answer 405, as the transport spec says for a server without standalone streams.
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { requestCaller } from '../http/caller.ts'
import type { TurnDeps } from '../chat/turn.ts'
import type { AgentContext } from './agent-context.ts'

export const MCP_PATH = '/mcp'

/** JSON-RPC's "server error" range; the SDK's own transport uses it for a refused method too. */
const METHOD_NOT_ALLOWED_CODE = -32000

/** The MCP SDK and the tools, on the first MCP request: an idle runtime stays small (as the AI SDK, chat/tool-loop.ts). */
let mcp: Promise<typeof import('../mcp/handle-request.ts')> | null = null
const loadMcp = () => (mcp ??= import('../mcp/handle-request.ts'))

export function mcpRoutes(ctx: AgentContext, deps: TurnDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post(MCP_PATH, async (c) => {
    const { handleMcpRequest } = await loadMcp()
    return handleMcpRequest(c.req.raw, ctx, deps, requestCaller(c))
  })

  app.on(['GET', 'DELETE'], MCP_PATH, (c) => c.json(
    { jsonrpc: '2.0', error: { code: METHOD_NOT_ALLOWED_CODE, message: 'Method not allowed: this MCP server is stateless; send POST.' }, id: null },
    405, { allow: 'POST' },
  ))
  return app
}
