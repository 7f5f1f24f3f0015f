// WebSocket pass-through that sees every message: the edge accepts the client's socket and the origin's,
// and relays frames both ways, so each message counts as activity (an agent mid-conversation stays awake).
// A socket lives far longer than the request that opened it, so the credential that opened it is asked again
// while it is open (on a timer and after the client's messages); once it no longer holds, both ends close.

import { ACCESS_RECHECK_INTERVAL_MS, RECHECK_AFTER_MESSAGE_GAP_MS } from '../budgets.ts'

export interface RelayHooks {
  onMessage(bytes: number): void
  onClose(): void
  /** Whether the credential that opened the socket still holds; absent: nothing to re-check (an anonymous caller). */
  recheck?: () => Promise<AccessVerdict>
}

/** `ok`, or why the socket must close: the close code and a reason the client sees. */
export type AccessVerdict = { ok: true } | { ok: false; code: number; reason: string }

/** Close codes a peer may not send itself (no status, abnormal closure, TLS failure): mapped to 1000. */
const RESERVED_CLOSE_CODES = new Set([1005, 1006, 1015])

function size(data: string | ArrayBuffer): number {
  return typeof data === 'string' ? data.length : data.byteLength
}

export function relayWebSocket(origin: WebSocket, originResponse: Response, hooks: RelayHooks): Response {
  const pair = new WebSocketPair()
  const client = pair[0]
  const server = pair[1]
  server.accept()
  origin.accept()
  let closed = false
  let timer: ReturnType<typeof setInterval> | undefined
  const closeBoth = (code: number, reason: string) => {
    if (closed) return
    closed = true
    if (timer !== undefined) clearInterval(timer)
    const safeCode = RESERVED_CLOSE_CODES.has(code) ? 1000 : code
    for (const socket of [server, origin]) {
      try {
        socket.close(safeCode, reason)
      } catch {
        // already closed
      }
    }
    hooks.onClose()
  }
  const recheck = hooks.recheck
  let checking = false
  let lastCheckAt = Date.now()
  const runRecheck = () => {
    if (!recheck || checking || closed) return
    checking = true
    lastCheckAt = Date.now()
    void recheck().then(
      (verdict) => {
        if (!verdict.ok) closeBoth(verdict.code, verdict.reason)
      },
      // A re-check that throws could not confirm the credential within the caches' max age (the cluster-api is
      // unreachable): a new request would be refused now, so the socket does not outlive it. 1013: try again later.
      () => closeBoth(1013, 'access could not be re-checked'),
    ).finally(() => {
      checking = false
    })
  }
  const pipe = (from: WebSocket, to: WebSocket) => {
    from.addEventListener('message', (event) => {
      try {
        to.send(event.data)
      } catch {
        closeBoth(1011, 'relay failed')
        return
      }
      hooks.onMessage(size(event.data as string | ArrayBuffer))
      if (from === server && Date.now() - lastCheckAt >= RECHECK_AFTER_MESSAGE_GAP_MS) runRecheck()
    })
    from.addEventListener('close', (event) => closeBoth(event.code, event.reason))
    from.addEventListener('error', () => closeBoth(1011, 'peer error'))
  }
  pipe(server, origin)
  pipe(origin, server)
  if (recheck) timer = setInterval(runRecheck, ACCESS_RECHECK_INTERVAL_MS)
  const headers = new Headers()
  const protocol = originResponse.headers.get('sec-websocket-protocol')
  if (protocol) headers.set('sec-websocket-protocol', protocol)
  return new Response(null, { status: 101, webSocket: client, headers })
}
