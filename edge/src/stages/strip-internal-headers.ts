// No client-sent X-Tenant-*, X-Agent-*, X-Edge-*, X-Principal* (or X-Forwarded-Host, X-Request-Id)
// header survives past here; the edge sets its own later. Also drops hop-by-hop headers.

import type { MiddlewareHandler } from 'hono'
import { stripInternalHeaders as strip } from '../../../wire/headers.ts'
import type { EdgeEnv } from '../context.ts'

/** Hop-by-hop headers are about the client's connection, not ours to the origin. Upgrade stays for WebSockets. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'host']

export const stripInternalHeaders = (): MiddlewareHandler<EdgeEnv> =>
  async function stripInternalHeaders(c, next) {
    const headers = new Headers(c.req.raw.headers)
    strip(headers)
    for (const name of HOP_BY_HOP) headers.delete(name)
    c.set('forwardHeaders', headers)
    await next()
  }
