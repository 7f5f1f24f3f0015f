// An HTTP client that talks to the edge as a browser on `<host>` would: real sockets, a real Host header
// (fetch() may not set one). Keep-alive with no socket cap, for the concurrency tests and the bench.

import http from 'node:http'

export const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })

export interface EdgeReply {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export interface EdgeRequest {
  method?: string
  headers?: Record<string, string>
  body?: string
}

/** Starts a request and resolves with the response head; the body is the caller's to read. */
export function openEdgeRequest(edge: URL, host: string, path: string, req: EdgeRequest = {}): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const r = http.request({
      host: edge.hostname, port: edge.port, path, method: req.method ?? 'GET', agent,
      headers: { ...req.headers, host },
    }, resolve)
    r.on('error', reject)
    r.end(req.body)
  })
}

export async function edgeRequest(edge: URL, host: string, path = '/', req: EdgeRequest = {}): Promise<EdgeReply> {
  const res = await openEdgeRequest(edge, host, path, req)
  let body = ''
  res.setEncoding('utf8')
  for await (const chunk of res) body += chunk
  return { status: res.statusCode ?? 0, headers: res.headers, body }
}

export function json<T = Record<string, unknown>>(reply: EdgeReply): T {
  return JSON.parse(reply.body) as T
}
