// One line per request once it is answered — method, host and path, status, time to the response
// head and, when the request waited for a wake, the cold start. Readable locally, JSON in production.

import type { MiddlewareHandler } from 'hono'
import { COLD_START, REQUEST_ID } from '../../../wire/headers.ts'
import { configFor, type EdgeConfig } from '../config.ts'
import type { EdgeEnv } from '../context.ts'

export type AccessLogFormat = EdgeConfig['accessLog']

export interface AccessLogEntry {
  method: string
  host: string
  path: string
  status: number
  ms: number
  coldStartMs: number | null
  requestId: string | null
}

/** `GET demo.localhost/v1/chat 200 812ms (cold start 799ms)`: the query string is left out, it may carry secrets. */
export function formatAccessLog(entry: AccessLogEntry, format: Exclude<AccessLogFormat, 'off'>): string {
  if (format === 'json') return JSON.stringify({ msg: 'request', ...entry })
  const cold = entry.coldStartMs === null ? '' : ` (cold start ${entry.coldStartMs}ms)`
  return `${entry.method} ${entry.host}${entry.path} ${entry.status} ${entry.ms}ms${cold}`
}

export const accessLog = (): MiddlewareHandler<EdgeEnv> =>
  async function accessLog(c, next) {
    // This stage runs before the one that puts the config on the context; the parse is shared (once per isolate).
    const format = configFor(c.env).accessLog
    if (format === 'off') return next()
    const started = Date.now()
    await next()
    const url = new URL(c.req.url)
    const cold = c.res.headers.get(COLD_START)
    console.log(formatAccessLog({
      method: c.req.method,
      host: url.host,
      path: url.pathname,
      status: c.res.status,
      ms: Date.now() - started,
      coldStartMs: cold === null ? null : Number(cold),
      requestId: c.res.headers.get(REQUEST_ID),
    }, format))
  }
