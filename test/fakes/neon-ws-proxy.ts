// A stand-in for Neon's WebSocket proxy: the Neon serverless driver speaks the PostgreSQL wire protocol
// over a WebSocket; this forwards each WebSocket to the TCP address it names (`/v1?address=host:port`).

import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import { WebSocketServer } from 'ws'

export interface NeonWsProxy {
  /** What MYINTELL_NEON_WS_PROXY / neonConfig.wsProxy wants: `127.0.0.1:<port>/v1`. */
  proxy: string
  /** Connections forwarded so far (tests check the driver really went through the proxy). */
  connections: number
  close(): Promise<void>
}

export async function startNeonWsProxy(): Promise<NeonWsProxy> {
  const http: Server = createServer()
  const wss = new WebSocketServer({ server: http, path: '/v1' })
  const state: NeonWsProxy = { proxy: '', connections: 0, close: async () => {} }
  wss.on('connection', (socket, request) => {
    const address = new URL(request.url ?? '', 'http://proxy').searchParams.get('address') ?? ''
    const [host, port] = address.split(':')
    // Only loopback: this proxy must never become an open relay, even in a test.
    if (host !== '127.0.0.1' && host !== 'localhost') return socket.close(1008, 'loopback only')
    state.connections++
    const tcp = connect(Number(port), host)
    tcp.on('data', (chunk) => socket.send(chunk))
    tcp.on('close', () => socket.close())
    tcp.on('error', () => socket.close())
    socket.on('message', (data) => tcp.write(data as Buffer))
    socket.on('close', () => tcp.end())
    socket.on('error', () => tcp.destroy())
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const port = (http.address() as { port: number }).port
  state.proxy = `127.0.0.1:${port}/v1`
  state.close = async () => {
    for (const client of wss.clients) client.terminate()
    await new Promise<void>((resolve) => wss.close(() => resolve()))
    await new Promise<void>((resolve) => http.close(() => resolve()))
  }
  return state
}
