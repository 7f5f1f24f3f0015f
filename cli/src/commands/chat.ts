// `myintell chat <slug>`: talk to a superfriend over the edge like any user, the reply printed as it streams.
// Interactive (readline) by default; --message sends one turn and exits. The conversation id carries across turns.

import { createInterface } from 'node:readline'
import type { Command, Io } from '../command.ts'
import { str } from '../command.ts'
import { configPath, readConfig } from '../config-store.ts'
import { ApiProblem, CliError, EXIT_ERROR, UsageError } from '../errors.ts'
import { NetworkError } from '../http-request.ts'
import { printJson, wantsJson } from '../output.ts'
import { deriveAgentUrl, normalizeUrl, resolveApiUrl, resolveCredential, type Credential } from '../settings.ts'
import { sendTurn, type TurnResult } from '../chat/chat-turn.ts'

interface Session {
  io: Io
  slug: string
  agentUrl: string
  credential: Credential | null
  json: boolean
  tty: boolean
  conversationId: string | null
}

export const chat: Command = {
  name: 'chat',
  summary: 'Chat with a superfriend; the reply streams as it is written',
  args: '<slug> [flags]',
  description: [
    'Sends POST <agent-url>/v1/chat (text/event-stream) with the API key, through the edge, and wakes the',
    'superfriend if it sleeps ("waking <slug>…", then "woke in N ms"). Interactive: /new starts a new',
    'conversation, /exit or Ctrl-D leaves. The agent URL is <scheme>://<slug>.<base> from the API URL',
    '(http://api.localhost:8787 → http://<slug>.localhost:8787).',
  ].join('\n'),
  flags: {
    message: { type: 'string', short: 'm', value: 'TEXT', description: 'send one message, print the reply, exit' },
    conversation: { type: 'string', value: 'ID', description: 'continue this conversation' },
    'agent-url': { type: 'string', value: 'URL', description: 'the superfriend\'s base URL (default: derived from the API URL)' },
  },
  positionals: [1, 1],
  async run({ io, flags, positionals }) {
    const slug = positionals[0]!
    const config = readConfig(configPath(io.env))
    const apiUrl = resolveApiUrl(flags, io, config)
    const agentUrlFlag = str(flags, 'agent-url')
    const session: Session = {
      io, slug,
      agentUrl: agentUrlFlag ? normalizeUrl(agentUrlFlag, '--agent-url') : deriveAgentUrl(apiUrl, slug),
      // No credential is fine: a public superfriend answers anyone.
      credential: resolveCredential(flags, io, apiUrl, config),
      json: wantsJson(flags),
      tty: io.stdin.isTTY === true,
      conversationId: str(flags, 'conversation') ?? null,
    }
    const message = str(flags, 'message')
    if (message !== undefined) {
      if (!message.trim()) throw new UsageError('--message is empty', 'chat')
      const result = await turn(session, message)
      if (result.failure) throw new CliError(`${slug} failed to reply: ${result.failure.message} (${result.failure.code})`)
      return
    }
    return interactive(session)
  },
}

async function turn(session: Session, message: string, signal?: AbortSignal): Promise<TurnResult> {
  const { io } = session
  // The name goes in front of the first piece of the reply, after the spinner has been erased.
  let prefix = session.tty && !session.json ? `${session.slug}> ` : ''
  const result = await sendTurn(io, {
    agentUrl: session.agentUrl, slug: session.slug, credential: session.credential, message, conversationId: session.conversationId,
    ...(signal ? { signal } : {}),
  }, (text) => {
    if (session.json) return
    io.stdout.write(prefix + text)
    prefix = ''
  })
  session.conversationId = result.conversationId
  if (session.json) printJson(io, result)
  else io.stdout.write('\n')
  if (result.failure) io.stderr.write(`error: the reply broke off: ${result.failure.message} (${result.failure.code})\n`)
  return result
}

async function interactive(session: Session): Promise<number> {
  const { io } = session
  const lines = createInterface({ input: io.stdin, ...(session.tty ? { output: io.stderr, terminal: true } : { terminal: false }) })
  let exitCode = 0
  let inFlight: AbortController | null = null
  // On a terminal readline owns Ctrl-C: it stops the reply being streamed, or leaves at the prompt.
  lines.on('SIGINT', () => {
    if (inFlight) inFlight.abort()
    else lines.close()
  })
  if (session.tty) {
    io.stderr.write(`Chatting with ${session.slug} at ${session.agentUrl}. /new starts over, /exit or Ctrl-D leaves.\n`)
    lines.setPrompt('you> ')
    lines.prompt()
  }
  for await (const raw of lines) {
    const line = raw.trim()
    if (line === '/exit' || line === '/quit') break
    if (line === '/new') {
      session.conversationId = null
      io.stderr.write('(new conversation)\n')
    } else if (line) {
      inFlight = new AbortController()
      try {
        const result = await turn(session, line, inFlight.signal)
        if (result.failure) exitCode = EXIT_ERROR
      } catch (error) {
        if (inFlight.signal.aborted) {
          io.stdout.write('\n')
          io.stderr.write('(interrupted)\n')
          inFlight = null
          if (session.tty) lines.prompt()
          continue
        }
        // One failed turn (a 503 while waking, a dropped connection) does not end the conversation.
        if (!(error instanceof ApiProblem) && !(error instanceof CliError) && !(error instanceof NetworkError)) throw error
        io.stderr.write(`error: ${error instanceof ApiProblem ? error.describe() : (error as Error).message}\n`)
        exitCode = EXIT_ERROR
      }
      inFlight = null
    }
    if (session.tty) lines.prompt()
  }
  lines.close()
  return exitCode
}
