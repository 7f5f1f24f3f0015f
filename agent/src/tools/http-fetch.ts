// The `http_fetch` tool: GET or POST a public URL and read the answer as text, bounded in size and time.
// Every hop (the first request and each redirect) goes through the egress fetch, so it is judged and pinned again.
import { tool } from 'ai'
import type { Tool } from 'ai'
import { z } from 'zod'
import { EgressRefusedError, networkError, redact } from './egress-fetch.ts'
import type { FetchFn } from './egress-fetch.ts'

/** Bytes of a response body the model gets; the rest is cut off with a note (a model's context is the limit). */
export const HTTP_FETCH_MAX_RESPONSE_BYTES = 256 * 1024
/** A request body the model may send. */
export const HTTP_FETCH_MAX_BODY_BYTES = 64 * 1024
/** The whole call (every redirect and the body) must finish within this, so one slow site cannot hold a turn. */
export const HTTP_FETCH_TIMEOUT_MS = 15_000
/** Redirects followed, each judged by the egress policy like the first request. */
export const HTTP_FETCH_MAX_REDIRECTS = 5

// Headers the model may not set: they belong to the connection or would let it pose as someone (cookies are its own
// choice only when it has them from a page, which it does not keep across calls).
const FORBIDDEN_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect'])
// Dropped when a redirect leaves the origin, as browsers do, so a token meant for one site does not reach another.
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization']

const TEXTUAL = /^(text\/|application\/([a-z0-9.+-]*\+)?(json|xml|javascript|ecmascript|x-www-form-urlencoded|yaml|x-yaml|toml|csv|graphql|ld\+json))/i

export const httpFetchInput = z.object({
  url: z.string().min(1).max(8192).describe('An absolute http or https URL on the public internet'),
  method: z.enum(['GET', 'POST']).default('GET'),
  headers: z.record(z.string().min(1).max(256), z.string().max(8192)).optional().describe('Request headers, e.g. {"accept": "application/json"}'),
  body: z.string().optional().describe(`POST body (at most ${HTTP_FETCH_MAX_BODY_BYTES} bytes); set a content-type header with it`),
})

export interface HttpFetchResult {
  status: number
  /** The URL that answered (after redirects). */
  url: string
  contentType: string | null
  /** The body as text; null when it is not text (its size is in `note`). */
  body: string | null
  truncated: boolean
  note?: string
}

export interface HttpFetchOptions {
  fetch: FetchFn
  timeoutMs?: number
  maxResponseBytes?: number
  signal?: AbortSignal
}

export function httpFetchTool(o: HttpFetchOptions): Tool {
  return tool({
    description: 'Fetch a public URL over HTTP(S) with GET or POST and read the response as text. ' +
      `Responses over ${HTTP_FETCH_MAX_RESPONSE_BYTES / 1024} KB are cut off; the call gives up after ${(o.timeoutMs ?? HTTP_FETCH_TIMEOUT_MS) / 1000} s. ` +
      'Private, loopback and cloud-metadata addresses are refused.',
    inputSchema: httpFetchInput,
    execute: (input, { abortSignal }) => httpFetch(input, { ...o, signal: anySignal(o.signal, abortSignal) }),
  })
}

/** Runs one http_fetch; throws (a message for the model) when the request is refused or fails. */
export async function httpFetch(input: z.output<typeof httpFetchInput>, o: HttpFetchOptions): Promise<HttpFetchResult> {
  const headers = new Headers()
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (FORBIDDEN_HEADERS.has(name.toLowerCase()) || name.toLowerCase().startsWith('proxy-')) throw new Error(`header ${name} may not be set`)
    try { headers.set(name, value) } catch { throw new Error(`header ${name} is not a valid HTTP header`) }
  }
  if (input.body !== undefined && input.method !== 'POST') throw new Error('a body needs method POST')
  if (input.body !== undefined && Buffer.byteLength(input.body) > HTTP_FETCH_MAX_BODY_BYTES) throw new Error(`the body is over ${HTTP_FETCH_MAX_BODY_BYTES} bytes`)

  const timeoutMs = o.timeoutMs ?? HTTP_FETCH_TIMEOUT_MS
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(new Error(`no complete answer within ${timeoutMs / 1000} s`)), timeoutMs)
  const signal = anySignal(deadline.signal, o.signal)!
  try {
    let url = input.url
    let method: string = input.method
    let body = input.body
    for (let hop = 0; ; hop++) {
      const response = await o.fetch(url, { method, headers: Object.fromEntries(headers), body, signal })
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel().catch(() => {})
        if (hop === HTTP_FETCH_MAX_REDIRECTS) throw new Error(`more than ${HTTP_FETCH_MAX_REDIRECTS} redirects`)
        const next = new URL(location, url)
        if (next.origin !== new URL(url).origin) for (const name of ORIGIN_BOUND_HEADERS) headers.delete(name)
        // As the fetch standard: 303, and 301/302 after a POST, become a GET without a body; 307/308 keep both.
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = 'GET'
          body = undefined
          headers.delete('content-type')
        }
        url = next.href
        continue
      }
      return await readBody(response, url, o.maxResponseBytes ?? HTTP_FETCH_MAX_RESPONSE_BYTES)
    }
  } catch (error) {
    if (error instanceof EgressRefusedError) throw error
    if (signal.aborted) throw new Error(`${redact(input.url)}: ${reasonOf(signal.reason)}`)
    throw new Error(`${redact(input.url)}: ${networkError(error)}`)
  } finally {
    clearTimeout(timer)
  }
}

async function readBody(response: Response, url: string, limit: number): Promise<HttpFetchResult> {
  const contentType = response.headers.get('content-type')
  const chunks: Uint8Array[] = []
  let size = 0
  let truncated = false
  const reader = response.body?.getReader()
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (size + value.byteLength > limit) {
        chunks.push(value.subarray(0, limit - size))
        size = limit
        truncated = true
        await reader.cancel().catch(() => {})
        break
      }
      chunks.push(value)
      size += value.byteLength
    }
  }
  const bytes = Buffer.concat(chunks)
  const base = { status: response.status, url, contentType, truncated }
  if (contentType && !TEXTUAL.test(contentType)) {
    return { ...base, body: null, note: `${contentType} content (${truncated ? `over ${limit}` : size} bytes) is not shown: only text is` }
  }
  const text = decoder(contentType).decode(bytes)
  return truncated
    ? { ...base, body: text, note: `the response was cut off after ${limit} bytes` }
    : { ...base, body: text }
}

function decoder(contentType: string | null): TextDecoder {
  const charset = /charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1]
  try { return new TextDecoder(charset ?? 'utf-8') } catch { return new TextDecoder('utf-8') }
}

/** Aborts when any of the given signals does. */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined)
  return present.length <= 1 ? present[0] : AbortSignal.any(present)
}

function reasonOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : 'the call was cancelled'
}
