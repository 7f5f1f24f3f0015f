// Every request gets an id: the client's X-Request-Id when it looks like one, else a fresh UUID.

import type { MiddlewareHandler } from 'hono'
import { REQUEST_ID } from '../../../wire/headers.ts'
import { configFor } from '../config.ts'
import type { EdgeEnv } from '../context.ts'

/** A client-chosen id is kept only if short and plain, so it cannot smuggle anything into logs. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/

export const requestId = (): MiddlewareHandler<EdgeEnv> =>
  async function requestId(c, next) {
    c.set('config', configFor(c.env))
    const offered = c.req.header(REQUEST_ID)
    const id = offered && CLIENT_REQUEST_ID.test(offered) ? offered : crypto.randomUUID()
    c.set('requestId', id)
    await next()
    // A 101 (WebSocket) response has immutable headers and needs no id.
    if (c.res.status !== 101) c.res.headers.set(REQUEST_ID, id)
  }
