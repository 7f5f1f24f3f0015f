// What answers a request Traefik cannot route to a running agent. Behind the catch-all IngressRoute of the lowest
// priority (manifests/base/ingress/no-endpoints.yaml) it answers everything (any host or X-Tenant-Host, any path and
// method, WebSocket upgrades) with the marked 503 the local ingress gives (../ingress-problems.ts): the edge then sends the
// request back through the agent's gate, which wakes it. Traefik drops the router of an agent whose Service has no
// ready endpoint (allowEmptyServices: false), so a sleeping agent and an unknown one both land here.

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { INGRESS_PROBLEMS, sendProblem, sendProblemOnSocket } from '../ingress-problems.ts'

export interface NoEndpointsServer {
  url: string
  port: number
  close(): Promise<void>
}

export async function startNoEndpointsServer(options: { port?: number; host?: string } = {}): Promise<NoEndpointsServer> {
  const server = createServer((req, res) => {
    // The body is never read: drain it so the connection can serve the next request.
    req.resume()
    sendProblem(res, INGRESS_PROBLEMS.noEndpoints())
  })
  server.on('upgrade', (_req, socket) => {
    socket.on('error', () => {})
    sendProblemOnSocket(socket, INGRESS_PROBLEMS.noEndpoints())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
