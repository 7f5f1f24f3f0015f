// The agent's own routes, all behind the edge signature: chat, conversations, memories, OpenAI-compatible API.
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import type { AgentContext } from './agent-context.ts'
import { conversationRoutes } from './conversation-routes.ts'

export function createAgentRoutes(ctx: AgentContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.route('/', conversationRoutes(ctx))
  return app
}
