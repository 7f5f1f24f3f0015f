// The local ingress: the stand-in for Traefik. One loopback listener that verifies the edge signature and routes by
// X-Tenant-Host to the agent's process, streaming both ways and proxying WebSocket upgrades.

import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { verifyHeaders, assertSigningSecret } from '../../../../../wire/signature.ts'
import { ReplayGuard } from '../../../../../wire/replay-guard.ts'
import { AGENT_ID } from '../../../../../wire/headers.ts'
import { ORIGIN_MAX_HEADER_BYTES } from '../../../../../wire/request-limits.ts'
import type { Problem } from '../../../../../wire/problem.ts'
import { silentLogger, type StructuredLogger } from '../../../../../wire/logger.ts'
import { AgentKeys } from '../../../../../wire/node-hmac.ts'
import { toFetchHeaders } from './hop-headers.ts'
import { INGRESS_PROBLEMS, sendProblem, sendProblemOnSocket } from '../../ingress-problems.ts'
import { proxyHttp } from './proxy-http.ts'
import { proxyWebSocket } from './proxy-websocket.ts'
import type { IngressRouter } from './routing.ts'

export type { IngressRouter, IngressTarget } from './routing.ts'

export interface LocalIngressOptions {
  /** The platform's master secret: every request must carry a valid, fresh signature under its agent's derived key. */
  signingSecret: string
  router: IngressRouter
  /** Default 127.0.0.1: the ingress is for the local edge only. */
  host?: string
  /** Default 0: a free port (read it from `url`). */
  port?: number
  logger?: StructuredLogger
}

export interface LocalIngress {
  /** e.g. http://127.0.0.1:43121 */
  readonly url: string
  readonly port: number
  /** Stops listening and cuts every open connection, upgraded ones included. */
  close(): Promise<void>
}

type Admission = { ok: true; agentId: string; port: number } | { ok: false; problem: Problem }

/**
 * The pipeline, outermost first:
 * 1. edge signature (401 if missing, malformed, stale or wrong);
 * 2. X-Tenant-Host → agent: 503 + NO_ENDPOINTS when no process is ready, and for a host it does not know (after a
 *    restart the driver knows no agent until a wake ensures it: "not running here", never "no such agent", which is
 *    the edge's to say from the platform's records);
 * 3. proxy (HTTP streamed, WebSocket piped), counted as an open stream of the agent while it lasts.
 */
interface Verifier {
  keys: AgentKeys
  replay: ReplayGuard
}

async function admit(req: IncomingMessage, verifier: Verifier, router: IngressRouter): Promise<Admission> {
  let headers: Headers
  try {
    headers = toFetchHeaders(req.rawHeaders)
  } catch {
    return { ok: false, problem: INGRESS_PROBLEMS.badRequest() }
  }
  // Signed with the key of the agent it names; the body binding is the runtime's to check (the ingress streams
  // bodies, never reads them).
  const agentId = headers.get(AGENT_ID)
  if (!agentId) return { ok: false, problem: INGRESS_PROBLEMS.unsigned('missing') }
  const verified = await verifyHeaders(req.method ?? 'GET', req.url ?? '/', headers, verifier.keys.for(agentId), { replay: verifier.replay })
  if (!verified.ok) return { ok: false, problem: INGRESS_PROBLEMS.unsigned(verified.reason) }
  if (!verified.tenantHost) return { ok: false, problem: INGRESS_PROBLEMS.noTenantHost() }
  const target = router.route(verified.tenantHost)
  if (target.kind === 'unknown') return { ok: false, problem: INGRESS_PROBLEMS.noEndpoints() }
  // The host must route to the agent whose key signed: one agent's key never opens another agent's host.
  if (target.agentId !== agentId) return { ok: false, problem: INGRESS_PROBLEMS.unsigned('bad-signature') }
  if (target.kind === 'no-endpoints') return { ok: false, problem: INGRESS_PROBLEMS.noEndpoints() }
  return { ok: true, agentId: target.agentId, port: target.port }
}

export async function createLocalIngress(options: LocalIngressOptions): Promise<LocalIngress> {
  assertSigningSecret(options.signingSecret)
  const logger = options.logger ?? silentLogger
  const upgraded = new Set<Duplex>()
  // Every proxied request is verified: the internal API's synchronous node:crypto HMAC (same bytes as WebCrypto's)
  // spares each one WebCrypto's round trip through libuv's thread pool.
  const verifier: Verifier = { keys: new AgentKeys(options.signingSecret), replay: new ReplayGuard() }

  // admit() does not throw by design; if it ever does, the client gets a short 500 and the log gets the cause.
  async function admitSafely(req: IncomingMessage): Promise<Admission> {
    try {
      return await admit(req, verifier, options.router)
    } catch (err) {
      logger.error({ method: req.method, err: { message: (err as Error).message } }, 'local ingress failed to route a request')
      return { ok: false, problem: INGRESS_PROBLEMS.internal() }
    }
  }

  const server = createServer({ maxHeaderSize: ORIGIN_MAX_HEADER_BYTES }, async (req: IncomingMessage, res: ServerResponse) => {
    const admission = await admitSafely(req)
    if (!admission.ok) return sendProblem(res, admission.problem)
    const end = options.router.beginStream(admission.agentId)
    proxyHttp(req, res, admission.port, end, logger, admission.agentId)
  })

  server.on('upgrade', async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket)
    socket.once('close', () => upgraded.delete(socket))
    socket.on('error', () => {})
    const admission = await admitSafely(req)
    if (!admission.ok) return sendProblemOnSocket(socket, admission.problem)
    const end = options.router.beginStream(admission.agentId)
    proxyWebSocket(req, socket, head, admission.port, end, logger, admission.agentId)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  logger.info({ port: address.port }, 'local ingress listening')

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      for (const socket of upgraded) socket.destroy()
      await closed
    },
  }
}
