// WebSocket pass-through that sees every message: the edge accepts the client's socket and the origin's,
// and relays frames both ways, so each message counts as activity (an agent mid-conversation stays awake).

export interface RelayHooks {
  onMessage(bytes: number): void
  onClose(): void
}

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
  const closeBoth = (code: number, reason: string) => {
    if (closed) return
    closed = true
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
  const pipe = (from: WebSocket, to: WebSocket) => {
    from.addEventListener('message', (event) => {
      try {
        to.send(event.data)
      } catch {
        closeBoth(1011, 'relay failed')
        return
      }
      hooks.onMessage(size(event.data as string | ArrayBuffer))
    })
    from.addEventListener('close', (event) => closeBoth(event.code, event.reason))
    from.addEventListener('error', () => closeBoth(1011, 'peer error'))
  }
  pipe(server, origin)
  pipe(origin, server)
  const headers = new Headers()
  const protocol = originResponse.headers.get('sec-websocket-protocol')
  if (protocol) headers.set('sec-websocket-protocol', protocol)
  return new Response(null, { status: 101, webSocket: client, headers })
}
