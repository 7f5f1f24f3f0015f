// A TCP proxy in front of a real server (the run's PostgreSQL), to take it away and bring it back without
// touching the server other test files share: `down()` refuses connections and cuts the open ones, as a stopped
// server does; `freeze()` accepts connections and never answers, as a hung or partitioned server does.

import { createServer, connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface TcpProxy {
  port: number
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string
  down(): Promise<void>
  freeze(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let mode: 'up' | 'frozen' = 'up'
  const server = createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => {})
    // Frozen: the connection is accepted and whatever it sends is dropped.
    if (mode === 'frozen') return void client.resume()
    const upstream = connect(targetPort, targetHost)
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream)
    upstream.pipe(client)
  })
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const cut = () => {
    for (const socket of sockets) socket.destroy()
    sockets.clear()
  }
  const stopListening = () => new Promise<void>((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    cut()
  })
  await listen(0)
  const port = (server.address() as AddressInfo).port
  return {
    port,
    via(url) {
      const parsed = new URL(url)
      parsed.hostname = '127.0.0.1'
      parsed.port = String(port)
      return parsed.toString()
    },
    down: stopListening,
    async freeze() {
      mode = 'frozen'
      cut()
      if (!server.listening) await listen(port)
    },
    async up() {
      mode = 'up'
      if (!server.listening) await listen(port)
    },
    close: stopListening,
  }
}
