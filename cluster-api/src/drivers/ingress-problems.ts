// The problem+json answers of the ingress pieces both drivers run: the local ingress (local/ingress/) and Traefik's
// no-endpoints fallback (kubernetes/no-endpoints-server.ts), for plain responses and raw upgrade sockets alike.
// Codes are stable: the edge keys on NO_ENDPOINTS, clients and tests on `code`.

import type { ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { STATUS_CODES } from 'node:http'
import { NO_ENDPOINTS } from '../../../wire/headers.ts'
import { PROBLEM_CONTENT_TYPE, problem } from '../../../wire/problem.ts'
import type { Problem } from '../../../wire/problem.ts'

export const INGRESS_PROBLEMS = {
  unsigned: (reason: string) => problem(401, 'edge-signature-invalid', 'Unauthorized', `The edge signature is ${reason}.`),
  noTenantHost: () => problem(400, 'tenant-host-missing', 'Bad request', 'The signed request names no tenant host.'),
  noEndpoints: () => problem(503, 'no-endpoints', 'Service unavailable', 'The superfriend is asleep or starting.'),
  upstreamFailed: () => problem(502, 'upstream-unavailable', 'Bad gateway', 'The superfriend did not answer.'),
  internal: () => problem(500, 'ingress-error', 'Internal error', 'The ingress could not route this request.'),
  badRequest: () => problem(400, 'bad-request', 'Bad request', 'The request headers could not be read.'),
} as const

/** 502/503 that mean "nothing serves this agent now" carry NO_ENDPOINTS so the edge retries through the gate. */
function extraHeaders(p: Problem): Record<string, string> {
  if (p.code === 'no-endpoints' || p.code === 'upstream-unavailable') return { [NO_ENDPOINTS]: '1', 'retry-after': '1' }
  if (p.status === 401) return { 'www-authenticate': 'EdgeSignature' }
  return {}
}

export function sendProblem(res: ServerResponse, p: Problem): void {
  const body = JSON.stringify(p)
  res.writeHead(p.status, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), ...extraHeaders(p) })
  res.end(body)
}

/** Answers an upgrade request on its raw socket (no ServerResponse exists for upgrades) and closes it. */
export function sendProblemOnSocket(socket: Duplex, p: Problem): void {
  const body = JSON.stringify(p)
  const headers = { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...extraHeaders(p) }
  const head = [`HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? ''}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n')
  socket.end(`${head}\r\n\r\n${body}`)
}
