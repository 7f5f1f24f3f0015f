// One chat turn over the edge: POST <agent>/v1/chat as an event stream, the spinner until the answer starts,
// then each `delta` handed on as it arrives; `done` (or `error`) ends the turn. Event names: agent/src/chat/turn.ts.

import type { Io } from '../command.ts'
import { ApiProblem, CliError, type ProblemBody } from '../errors.ts'
import { httpRequest, readBody } from '../http-request.ts'
import type { Credential } from '../settings.ts'
import { readSse } from './sse-reader.ts'
import { startSpinner } from './spinner.ts'

/** Set by the edge on a response that waited for a wake (wire/headers.ts COLD_START). */
export const COLD_START_HEADER = 'x-myintell-cold-start'

export interface TurnRequest {
  agentUrl: string
  slug: string
  credential: Credential | null
  message: string
  conversationId: string | null
  signal?: AbortSignal
}

export interface TurnResult {
  conversationId: string | null
  messageId: string | null
  reply: string
  coldStartMs: number | null
  usage: unknown
  /** Set when the model failed mid-reply; `reply` keeps what had arrived. */
  failure: { code: string; message: string } | null
}

export async function sendTurn(io: Io, request: TurnRequest, onDelta: (text: string) => void): Promise<TurnResult> {
  const headers: Record<string, string> = { accept: 'text/event-stream', 'content-type': 'application/json' }
  if (request.credential) headers.authorization = `Bearer ${request.credential.secret}`
  const body = JSON.stringify({ message: request.message, ...(request.conversationId ? { conversationId: request.conversationId } : {}) })
  const spinner = startSpinner(io, `waking ${request.slug}…`)
  let response
  try {
    response = await httpRequest({ method: 'POST', url: `${request.agentUrl}/v1/chat`, headers, body, ...(request.signal ? { signal: request.signal } : {}) })
  } finally {
    spinner.stop()
  }

  const coldStart = Number(response.headers[COLD_START_HEADER])
  const result: TurnResult = {
    conversationId: request.conversationId, messageId: null, reply: '',
    coldStartMs: Number.isFinite(coldStart) && response.headers[COLD_START_HEADER] !== undefined ? coldStart : null,
    usage: null, failure: null,
  }
  if (result.coldStartMs !== null) io.stderr.write(`woke in ${result.coldStartMs} ms\n`)

  if (response.status < 200 || response.status >= 300) {
    const text = await readBody(response)
    let problem: ProblemBody
    try {
      problem = JSON.parse(text) as ProblemBody
    } catch {
      problem = { title: `HTTP ${response.status}`, ...(text.trim() ? { detail: text.trim().slice(0, 200) } : {}) }
    }
    const retryAfter = response.headers['retry-after']
    if (retryAfter) problem = { ...problem, detail: `${problem.detail ? `${problem.detail}; ` : ''}retry after ${retryAfter} s` }
    throw new ApiProblem(response.status, problem)
  }
  if (!String(response.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    response.body.resume()
    throw new CliError(`${request.agentUrl} did not answer with an event stream (content-type ${response.headers['content-type'] ?? 'none'}); is --agent-url right?`)
  }

  for await (const frame of readSse(response.body)) {
    const data = parse(frame.data)
    if (frame.event === 'start' && typeof data.conversationId === 'string') result.conversationId = data.conversationId
    else if (frame.event === 'delta' && typeof data.text === 'string') {
      result.reply += data.text
      onDelta(data.text)
    } else if (frame.event === 'done' || frame.event === 'error') {
      if (typeof data.conversationId === 'string') result.conversationId = data.conversationId
      if (typeof data.messageId === 'string') result.messageId = data.messageId
      if (frame.event === 'done') result.usage = data.usage ?? null
      else result.failure = { code: String(data.code ?? 'error'), message: String(data.message ?? 'the model failed to reply') }
      response.body.resume()
      return result
    }
  }
  throw new CliError(`the stream from ${request.slug} ended before the reply was done`)
}

function parse(data: string): Record<string, unknown> {
  try {
    const value = JSON.parse(data) as unknown
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
