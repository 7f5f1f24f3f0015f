// The superfriend as an MCP server: `chat`, `search_memory` and `list_conversations`, each acting for one caller with
// the same scoping as its chat turns (a guest reaches only its own conversations, never another guest's memories).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { prepareTurn, type TurnDeps } from '../chat/turn.ts'
import { conversationScope, type Caller } from '../http/caller.ts'
import { listConversations } from '../db/conversation-queries.ts'
import { searchMemories } from '../db/memory-queries.ts'
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE } from '../http/pagination.ts'
import type { AgentContext } from '../routes/agent-context.ts'
import { guarded, toolError, toolResult } from './tool-result.ts'

/** What the server tells hosts about itself; the agent's own name goes into the title. */
export const MCP_SERVER_VERSION = '1.0.0'
/** Memories a search returns when the caller names no limit, and at most. */
const DEFAULT_MEMORY_RESULTS = 10
const MAX_MEMORY_RESULTS = 50
const DEFAULT_CONVERSATIONS = 20
/** A search query longer than this is no search a host would make (characters). */
const MAX_QUERY_CHARS = 500

const isConversationCursor = (v: unknown): v is [string, string] =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[0]))

export function superfriendServer(ctx: AgentContext, deps: TurnDeps, caller: Caller): McpServer {
  const { config } = ctx.current()
  const server = new McpServer(
    { name: `myintell-${config.slug}`, title: config.name, version: MCP_SERVER_VERSION },
    { instructions: `${config.name} is a superfriend on myintell.ai: talk to it with the chat tool; it remembers across conversations.` },
  )

  server.registerTool('chat', {
    title: `Chat with ${config.name}`,
    description: `Send ${config.name} a message and get its reply. Pass the conversationId of an earlier reply to continue that conversation; leave it out to start a new one.`,
    inputSchema: {
      message: z.string().describe('What to say'),
      conversationId: z.string().optional().describe('A conversation to continue (from an earlier reply)'),
    },
    outputSchema: {
      reply: z.string(), conversationId: z.string(), messageId: z.string(),
      usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
    },
  }, (args) => guarded('chat', deps.log, async () => {
    // The checks and the storage of /v1/chat: an empty or oversized message, a conversation the caller may not see.
    const turn = await prepareTurn(deps, ctx.current(), caller, args)
    let reply = ''
    // Runs to completion even if the host goes away, so what was said is stored (as the JSON chat does).
    for await (const event of turn.run(new AbortController().signal)) {
      if (event.type === 'delta') reply += event.text
      else if (event.type === 'done') {
        const usage = { inputTokens: event.usage.inputTokens, outputTokens: event.usage.outputTokens }
        return toolResult(reply, { reply, conversationId: event.conversationId, messageId: event.messageId, usage })
      } else if (event.type === 'error') {
        // The conversation id, so the host can come back to it: what was said and the partial reply are stored.
        return toolError(`model-${event.code.replace(/_/g, '-')}`, `The model failed to reply: ${event.message} (conversationId ${event.conversationId})`)
      }
    }
    throw new Error('chat turn ended without a done or error event')
  }))

  server.registerTool('search_memory', {
    title: `Search ${config.name}'s memory`,
    description: `Find what ${config.name} remembers for you: memories matching words of the query, best match first.`,
    inputSchema: {
      query: z.string().trim().min(1).max(MAX_QUERY_CHARS).describe('Words to look for'),
      limit: z.number().int().min(1).max(MAX_MEMORY_RESULTS).optional().describe(`At most this many (default ${DEFAULT_MEMORY_RESULTS})`),
    },
    outputSchema: {
      memories: z.array(z.object({ id: z.string(), content: z.string(), source: z.string(), pinned: z.boolean(), createdAt: z.string() })),
    },
    annotations: { readOnlyHint: true },
  }, ({ query, limit }) => guarded('search_memory', deps.log, async () => {
    const { config, db } = ctx.current()
    // The memory tool's own search, in the reach of the caller's turns: the agent-wide memories and the caller's own.
    const rows = await searchMemories(db, config.agentId, caller.owner, query, limit ?? DEFAULT_MEMORY_RESULTS)
    const found = rows.map((m) => ({ id: m.id, content: m.content, source: m.source, pinned: m.pinned, createdAt: m.createdAt.toISOString() }))
    const text = found.length === 0 ? 'No memory matches.' : found.map((m) => `- ${m.content}`).join('\n')
    return toolResult(text, { memories: found })
  }))

  server.registerTool('list_conversations', {
    title: `List conversations with ${config.name}`,
    description: 'Your conversations with this superfriend, most recently active first. Pass nextCursor back as cursor for the next page.',
    inputSchema: {
      limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional().describe(`At most this many (default ${DEFAULT_CONVERSATIONS})`),
      cursor: z.string().optional().describe('nextCursor of the previous page'),
    },
    outputSchema: {
      conversations: z.array(z.object({ id: z.string(), title: z.string(), createdAt: z.string(), updatedAt: z.string() })),
      nextCursor: z.string().nullable(),
    },
    annotations: { readOnlyHint: true },
  }, ({ limit, cursor }) => guarded('list_conversations', deps.log, async () => {
    const { config, db } = ctx.current()
    const size = limit ?? DEFAULT_CONVERSATIONS
    const after = decodeCursor(cursor, isConversationCursor)
    const rows = await listConversations(db, config.agentId, conversationScope(caller), size + 1, after ? { updatedAt: new Date(after[0]), id: after[1] } : undefined)
    const page = rows.slice(0, size)
    const last = page.at(-1)
    const conversations = page.map((r) => ({ id: r.id, title: r.title, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() }))
    const nextCursor = rows.length > size && last ? encodeCursor([last.updatedAt.toISOString(), last.id]) : null
    const text = conversations.length === 0 ? 'No conversations yet.' : conversations.map((c) => `- ${c.id} ${c.title} (${c.updatedAt})`).join('\n')
    return toolResult(text, { conversations, nextCursor })
  }))
  return server
}
