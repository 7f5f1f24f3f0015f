// Proxies a WebSocket upgrade as raw bytes: the request head is replayed to the agent process, then both sockets are
// piped. The handshake answer (101 or a refusal) and every frame pass through untouched.

import { connect } from 'node:net'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { StructuredLogger } from '../../../../../wire/logger.ts'
import { INGRESS_PROBLEMS, sendProblemOnSocket } from '../../ingress-problems.ts'

export function proxyWebSocket(req: IncomingMessage, client: Duplex, head: Buffer, port: number, onEnd: () => void, logger: StructuredLogger, agentId: string): void {
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    onEnd()
  }
  const upstream = connect({ host: '127.0.0.1', port })
  upstream.setNoDelay(true)
  let connected = false
  upstream.once('connect', () => {
    connected = true
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`]
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
    upstream.write(lines.join('\r\n') + '\r\n\r\n')
    if (head.length > 0) upstream.write(head)
    upstream.pipe(client)
    client.pipe(upstream)
  })
  upstream.on('error', (err) => {
    if (!connected) {
      logger.warn({ agentId, port, err: { message: err.message } }, 'agent process refused the WebSocket connection')
      sendProblemOnSocket(client, INGRESS_PROBLEMS.upstreamFailed())
    } else {
      client.destroy()
    }
  })
  client.on('error', () => upstream.destroy())
  upstream.once('close', () => {
    // Before the connection existed the client is getting a 502 written by sendProblemOnSocket; let it flush.
    if (connected) client.destroy()
    end()
  })
  client.once('close', () => {
    upstream.destroy()
    end()
  })
}
