// A superfriend's own API at <slug>.<base> (agent/src/routes): chat as an SSE stream, past conversations and
// memories. The edge holds the first request while a sleeping superfriend wakes and then answers with
// X-Myintell-Cold-Start, which is how the dashboard knows (and shows) that a wake happened.

import { hosts } from './hosts.ts'
import { authHeaders, problemFrom, requestJson, SESSION_ENDED_EVENT, type Credentials } from './http.ts'
import { createSseParser } from './sse.ts'
import type { ToolEvent } from '../../../wire/chat-events.ts'

/** Mirrors wire/headers.ts COLD_START (kept here so the bundle does not pull the wire module's Node-side helpers). */
export const COLD_START_HEADER = 'x-myintell-cold-start'

export interface Conversation { id: string; title: string; createdAt: string; updatedAt: string }
export interface Message {
  id: string
  /** `tool-call` / `tool-result`: one tool step of the reply that follows, described by `tool`. */
  role: 'user' | 'assistant' | 'system' | 'tool-call' | 'tool-result'
  content: string
  status: string
  error?: string
  /** On a tool step: `{id, name, args}` for a call, `{id, name, result, isError}` for its result. */
  tool?: { id?: unknown; name?: unknown; args?: unknown; result?: unknown; isError?: unknown }
  createdAt: string
}
/** `principal`: null for a memory every caller's turn recalls; else the one guest of a public superfriend it is kept for. */
export interface Memory { id: string; content: string; source: string; principal?: string | null; createdAt: string }
export interface TurnUsage { inputTokens?: number; outputTokens?: number }

export type ChatEvent =
  | { type: 'start'; conversationId: string }
  | { type: 'memory'; id: string; content: string }
  | { type: 'delta'; text: string }
  | { type: 'done'; conversationId: string; messageId: string; usage: TurnUsage }
  | { type: 'error'; conversationId: string; messageId: string; code: string; message: string; partial: string }
  | ToolEvent

export interface ChatStreamHandlers {
  /** The response headers arrived (the superfriend is awake); `coldStartMs` is set when this request waited for a wake. */
  onResponse(info: { coldStartMs: number | null }): void
  /** The first byte of the body arrived. */
  onFirstByte(): void
  onEvent(event: ChatEvent): void
}

const agent = (slug: string, path: string) => `${hosts.agentUrl(slug)}${path}`

export async function streamChat(
  credentials: Credentials, slug: string, body: { message: string; conversationId?: string }, handlers: ChatStreamHandlers, signal?: AbortSignal,
): Promise<void> {
  const headers = authHeaders({ token: credentials.token })
  headers.set('accept', 'text/event-stream')
  headers.set('content-type', 'application/json')
  const response = await fetch(agent(slug, '/v1/chat'), { method: 'POST', headers, body: JSON.stringify(body), signal })
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new Event(SESSION_ENDED_EVENT))
    throw await problemFrom(response)
  }
  const cold = response.headers.get(COLD_START_HEADER)
  handlers.onResponse({ coldStartMs: cold !== null && Number.isFinite(Number(cold)) ? Number(cold) : null })
  if (!response.body) throw new Error('the reply has no body')
  const parser = createSseParser(({ event, data }) => {
    try {
      handlers.onEvent({ type: event, ...(JSON.parse(data) as object) } as ChatEvent)
    } catch {
      // A frame we cannot read is skipped rather than ending the reply.
    }
  })
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let first = true
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (first && value) {
      first = false
      handlers.onFirstByte()
    }
    parser.push(value)
  }
  parser.end()
}

const agentCredentials = (c: Credentials): Credentials => ({ token: c.token })

export const listConversations = (c: Credentials, slug: string) =>
  requestJson<{ data: Conversation[] }>(agent(slug, '/v1/conversations'), agentCredentials(c), { query: { limit: 50 } }).then((r) => r.data)
export const listMessages = (c: Credentials, slug: string, conversationId: string) =>
  requestJson<{ data: Message[] }>(agent(slug, `/v1/conversations/${encodeURIComponent(conversationId)}/messages`), agentCredentials(c), { query: { limit: 100 } })
    .then((r) => r.data)
export const listMemories = (c: Credentials, slug: string) =>
  requestJson<{ data: Memory[] }>(agent(slug, '/v1/memories'), agentCredentials(c), { query: { limit: 100 } }).then((r) => r.data)
export const deleteMemory = (c: Credentials, slug: string, id: string) =>
  requestJson<void>(agent(slug, `/v1/memories/${encodeURIComponent(id)}`), agentCredentials(c), { method: 'DELETE' })
