// A request to the edge for a *.localhost host from Node, which (unlike Chromium) does not resolve *.localhost:
// connect to the edge's loopback port and send the Host header.
import { request } from 'node:http'

export interface EdgeReply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

export function edgeRequest(
  edgeUrl: string, host: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<EdgeReply> {
  const edge = new URL(edgeUrl)
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: Number(edge.port), path, method: init.method ?? 'GET',
      headers: { host: `${host}:${edge.port}`, ...init.headers },
    }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end(init.body)
  })
}
