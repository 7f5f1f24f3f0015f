// GET /v1/ws: WebSocket chat with the same events as the SSE stream; several turns per socket, one at a time.
// The upgrade is checked like any request (edge signature for this slug, readiness) before the socket is accepted;
// every turn on the socket is the upgrade's verified caller's (its conversations, its memories; http/caller.ts).
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocket, WebSocketServer } from 'ws'
import { NO_ENDPOINTS } from '../../../wire/headers.ts'
import { problem } from '../../../wire/problem.ts'
import { callerOf, type Caller } from '../http/caller.ts'
import type { EdgeVerifier } from '../http/edge-auth.ts'
import type { Logger } from '../log.ts'
import type { RuntimeState } from '../runtime-state.ts'
import type { AgentContext } from '../routes/agent-context.ts'
import { prepareTurn } from '../chat/turn.ts'
import type { TurnDeps } from '../chat/turn.ts'
import { ProblemError } from '../../../wire/problem.ts'

export const WS_PATH = '/v1/ws'
/** A frame larger than this closes the socket (bytes); a message is bounded separately by the message limit. */
const MAX_FRAME_BYTES = 1_048_576
/** Pings keep idle sockets alive through proxies that close silent connections (ms). */
const PING_INTERVAL_MS = 30_000
const CLOSE_GOING_AWAY = 1001

export interface WebSocketChat {
  /** New upgrades are refused with 503 (drain started). */
  stopAccepting(): void
  /** Closes every socket with 1001 (after the drain). */
  closeAll(): void
}

interface Options {
  state: RuntimeState
  ctx: AgentContext
  turnDeps: TurnDeps
  edgeVerifier: EdgeVerifier
  log: Logger
}

function refuse(socket: Duplex, status: number, code: string, title: string): void {
  const body = JSON.stringify(problem(status, code, title))
  // A 503 (starting or draining) is marked like an ingress's "no endpoints", so the edge wakes a new runtime for it.
  const marked = status === 503 ? `${NO_ENDPOINTS}: 1\r\nRetry-After: 1\r\n` : ''
  socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${marked}Connection: close\r\n\r\n${body}`)
}

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers })
}

export function attachWebSocketChat(server: Server, opts: Options): WebSocketChat {
  // `ws` (and the zlib/https it pulls in) is loaded on the first accepted upgrade: most runtimes idle on HTTP alone.
  let wss: WebSocketServer | null = null
  let loading: Promise<WebSocketServer> | null = null
  const socketServer = () => (loading ??= import('ws').then(({ WebSocketServer }) => (wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES }))))
  let accepting = true

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname
      if (path !== WS_PATH) return refuse(socket, 404, 'not-found', 'Not Found')
      const check = await opts.edgeVerifier.check(toRequest(req))
      if (!check.ok) {
        opts.log.warn({ event: 'edge-auth-refused', reason: check.reason, method: 'GET', path }, 'websocket refused: edge signature')
        return refuse(socket, 401, 'invalid-edge-signature', 'Unauthorized')
      }
      if (!accepting || !opts.state.isReady()) return refuse(socket, 503, 'not-ready', 'Service Unavailable')
      const sockets = await socketServer()
      if (!accepting) return refuse(socket, 503, 'not-ready', 'Service Unavailable')
      const caller = callerOf(check.verified.principal, check.verified.principalAccess)
      sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, caller, opts))
    })().catch(() => socket.destroy())
  })

  return {
    stopAccepting() { accepting = false },
    closeAll() {
      if (!wss) return
      for (const ws of wss.clients) ws.close(CLOSE_GOING_AWAY, 'superfriend restarting')
      wss.close()
    },
  }
}

function serveSocket(ws: WebSocket, caller: Caller, opts: Options): void {
  let busy = false
  const abort = new AbortController()
  const send = (event: object) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event))
  }
  const ping = setInterval(() => ws.ping(), PING_INTERVAL_MS)
  ws.on('close', () => {
    clearInterval(ping)
    abort.abort(new Error('socket closed'))
  })
  ws.on('error', () => {})

  ws.on('message', (data, isBinary) => {
    if (busy) return send({ type: 'error', status: 409, code: 'turn-in-progress', message: 'Wait for the current reply to finish (done or error) before sending.' })
    if (isBinary) return send({ type: 'error', status: 400, code: 'binary-frame', message: 'Send chat messages as JSON text frames.' })
    let body: unknown
    try {
      body = JSON.parse(data.toString())
    } catch {
      return send({ type: 'error', status: 400, code: 'malformed-json', message: 'The frame is not valid JSON.' })
    }
    busy = true
    void runTurn(body).finally(() => { busy = false })
  })

  async function runTurn(body: unknown): Promise<void> {
    if (opts.state.isDraining()) return send({ type: 'error', status: 503, code: 'draining', message: 'This superfriend is restarting; reconnect shortly.' })
    const end = opts.ctx.track()
    try {
      const turn = await prepareTurn(opts.turnDeps, opts.ctx.current(), caller, body)
      for await (const event of turn.run(abort.signal)) send(event)
    } catch (err) {
      if (err instanceof ProblemError) send({ type: 'error', status: err.status, code: err.code, message: err.detail ?? err.title })
      else {
        opts.log.error({ event: 'ws-turn-failed', message: (err as Error).message }, 'websocket turn failed')
        send({ type: 'error', status: 500, code: 'internal', message: 'The superfriend failed while replying.' })
      }
    } finally {
      end()
    }
  }
}
