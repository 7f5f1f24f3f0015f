// One HTTP request over node:http(s), answered as soon as the response headers arrive, body left as a stream.
// Why not fetch: getaddrinfo does not resolve `<slug>.localhost`, and fetch will not let us keep the Host header.

import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: http.IncomingMessage
}

export interface HttpRequest {
  method: string
  url: string
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal
}

/** A network failure (refused, unknown host, reset), as opposed to an HTTP error answer. */
export class NetworkError extends Error {
  readonly url: string
  constructor(url: string, cause: unknown) {
    const code = (cause as { code?: string }).code
    super(`cannot reach ${new URL(url).origin}${code ? ` (${code})` : `: ${(cause as Error).message}`}`, { cause })
    this.url = url
  }
}

/** RFC 6761: `localhost` and every name under it is loopback, whatever the resolver thinks. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  return name === 'localhost' || name.endsWith('.localhost')
}

const loopbackLookup = ((hostname: string, options: LookupOneOptions | LookupAllOptions, callback: (...args: unknown[]) => void) => {
  if (!isLocalhostName(hostname)) {
    dnsLookup(hostname, options as LookupAllOptions, callback as (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void)
    return
  }
  // The servers we talk to locally (workerd, the cluster-api) listen on 127.0.0.1.
  if ((options as LookupAllOptions).all) callback(null, [{ address: '127.0.0.1', family: 4 }])
  else callback(null, '127.0.0.1', 4)
}) as unknown as LookupFunction

export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const url = new URL(request.url)
  const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null
  if (!transport) return Promise.reject(new Error(`unsupported URL scheme in ${request.url}`))
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...request.headers }
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body))
    const req = transport.request(url, { method: request.method, headers, lookup: loopbackLookup, signal: request.signal }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res })
    })
    req.on('error', (error) => reject(request.signal?.aborted ? error : new NetworkError(request.url, error)))
    req.end(request.body)
  })
}

export async function readBody(response: HttpResponse): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of response.body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
