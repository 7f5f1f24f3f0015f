// The request names exactly one host, the one its URL has. Two Host headers (which reach the Worker
// joined by a comma), a list of hosts, or a Host that is not the URL's are refused with 400, before any stage
// reads the URL: workerd builds the URL from the Host header, so such a request's URL does not even parse.

import type { MiddlewareHandler } from 'hono'
import type { EdgeEnv } from '../context.ts'
import { badHost } from '../problems.ts'

/** A host name or an IPv6 literal, then an optional port: nothing a URL parser would cut short (a path, a comma, a user). */
const ONE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/

/** The URL's host if it is well formed and `hostHeader` (when sent) names that same host; else null. */
export function requestHost(url: string, hostHeader: string | null): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (hostHeader === null) return parsed.host // a request made inside the runtime (tests): the URL is all there is
  if (!ONE_HOST.test(hostHeader)) return null
  let named: URL
  try {
    named = new URL(`${parsed.protocol}//${hostHeader}`)
  } catch {
    return null
  }
  return named.host === parsed.host ? parsed.host : null
}

export const hostHeader = (): MiddlewareHandler<EdgeEnv> =>
  async function hostHeader(c, next) {
    if (requestHost(c.req.url, c.req.raw.headers.get('host')) === null) throw badHost()
    await next()
  }
