// A request head larger than the platform takes is answered here, at once, with a clean problem:
// 431 for header fields over EDGE_MAX_HEADER_BYTES, 414 for a path and query over EDGE_MAX_TARGET_BYTES. The
// servers behind the edge accept everything smaller plus what the edge adds (wire/request-limits.ts), so no
// 431 ever comes from behind the edge.

import type { MiddlewareHandler } from 'hono'
import { EDGE_MAX_HEADER_BYTES, EDGE_MAX_TARGET_BYTES } from '../../../wire/request-limits.ts'
import type { EdgeEnv } from '../context.ts'
import { headersTooLarge, targetTooLong } from '../problems.ts'

/** The header fields' size as the edge would forward them: name, ": ", value and CRLF each. */
export function headerFieldBytes(headers: Headers): number {
  let total = 0
  // Header names and values are byte strings (Latin-1), so a string's length is its size on the wire.
  for (const [name, value] of headers) total += name.length + 2 + value.length + 2
  return total
}

/** The request target (path and query) as the edge forwards it. */
export function targetBytes(url: string): number {
  const parsed = new URL(url)
  return parsed.pathname.length + parsed.search.length
}

export const requestHeadLimits = (): MiddlewareHandler<EdgeEnv> =>
  async function requestHeadLimits(c, next) {
    if (headerFieldBytes(c.req.raw.headers) > EDGE_MAX_HEADER_BYTES) throw headersTooLarge(EDGE_MAX_HEADER_BYTES)
    if (targetBytes(c.req.url) > EDGE_MAX_TARGET_BYTES) throw targetTooLong(EDGE_MAX_TARGET_BYTES)
    await next()
  }
