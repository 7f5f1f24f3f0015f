// Streams one HTTP request to an agent process and its response back, chunk by chunk, never buffering a body:
// an SSE reply reaches the client event by event.

import { request as httpRequest } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { StructuredLogger } from '../../../../../wire/logger.ts'
import { endToEndHeaders } from './hop-headers.ts'
import { INGRESS_PROBLEMS, sendProblem } from '../../ingress-problems.ts'

export function proxyHttp(req: IncomingMessage, res: ServerResponse, port: number, onEnd: () => void, logger: StructuredLogger, agentId: string): void {
  res.once('close', onEnd)
  // A fresh loopback connection per request: agent processes come and go, a pooled socket to a dead one would fail the request.
  const upstream = httpRequest({
    host: '127.0.0.1',
    port,
    method: req.method,
    path: req.url,
    headers: endToEndHeaders(req.rawHeaders),
    agent: false,
  })
  upstream.on('response', (upstreamRes) => {
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, endToEndHeaders(upstreamRes.rawHeaders))
    // Headers go out now, before the first body chunk: an SSE client sees the stream open at once.
    res.flushHeaders()
    upstreamRes.pipe(res)
    upstreamRes.on('error', () => res.destroy())
  })
  upstream.on('error', (err) => {
    if (!res.headersSent) {
      logger.warn({ agentId, port, err: { message: err.message } }, 'agent process did not answer')
      sendProblem(res, INGRESS_PROBLEMS.upstreamFailed())
    } else {
      res.destroy()
    }
  })
  // The client went away mid-request or mid-stream: stop the agent's side too.
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy()
  })
  req.pipe(upstream)
}
