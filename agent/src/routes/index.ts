// The agent's own routes, all behind the edge signature: chat, conversations, memories, OpenAI-compatible API, MCP.
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import type { TurnDeps } from '../chat/turn.ts'
import type { AgentContext } from './agent-context.ts'
import { chatRoutes } from './chat-routes.ts'
import { conversationRoutes } from './conversation-routes.ts'
import { mcpRoutes } from './mcp-routes.ts'
import { memoryRoutes } from './memory-routes.ts'
import { openAiRoutes } from './openai-routes.ts'
import { responsesRoutes } from './responses-routes.ts'

export function createAgentRoutes(ctx: AgentContext, turnDeps: TurnDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.route('/', chatRoutes(ctx, turnDeps))
  app.route('/', conversationRoutes(ctx))
  app.route('/', memoryRoutes(ctx))
  app.route('/', openAiRoutes(ctx, turnDeps))
  app.route('/', responsesRoutes(ctx, turnDeps))
  app.route('/', mcpRoutes(ctx, turnDeps))
  return app
}
