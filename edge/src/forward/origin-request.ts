// One attempt of a request to the origin (Traefik / the local ingress) for one agent: the client's own method and
// headers, its body as takeBody left it, plus the injected X-Tenant-Host/X-Tenant-Id/X-Agent-Id/X-Principal/
// X-Request-Id and a fresh edge signature over them (a new nonce each attempt). Bounded until the response begins.

import { AGENT_ID, NO_ENDPOINTS, PRINCIPAL, PRINCIPAL_ACCESS, REQUEST_ID, TENANT_HOST, TENANT_ID } from '../../../wire/headers.ts'
import { signHeaders } from '../../../wire/signature.ts'
import type { EdgeContext } from '../context.ts'
import { TIMED_OUT, within } from '../within.ts'
import { bindingOf, payloadOf, type ForwardBody } from './request-body.ts'
import { SpanKind } from '@opentelemetry/api'
import { TRACEPARENT, TRACESTATE } from '../telemetry/tracing.ts'

/** The origin did not begin its response within ORIGIN_TIMEOUT_MS. */
export class OriginTimeout extends Error {
  readonly timeoutMs: number
  constructor(timeoutMs: number) {
    super(`the origin did not begin its response within ${timeoutMs} ms`)
    this.timeoutMs = timeoutMs
  }
}

export async function sendToOrigin(c: EdgeContext, body: ForwardBody): Promise<Response> {
  // c.get, not c.var: Hono builds a fresh object for every c.var read.
  const route = c.get('route')
  const config = c.get('config')
  const url = new URL(c.req.url)
  const path = url.pathname + url.search
  // The request's own copy (strip-internal-headers made it): setting and signing again on a later attempt replaces every value.
  const headers = c.get('forwardHeaders')
  headers.set(TENANT_HOST, route.slug)
  headers.set(TENANT_ID, route.tenantId)
  headers.set(AGENT_ID, route.agentId)
  headers.set(PRINCIPAL, c.get('principal'))
  headers.set(PRINCIPAL_ACCESS, c.get('principalAccess'))
  headers.set(REQUEST_ID, c.get('requestId'))
  await signHeaders(headers, { method: c.req.method, host: url.hostname, path, body: bindingOf(body) }, config.agentKeys.for(route.agentId))
  // The origin continues the edge's trace, not the caller's header (not signed: it carries nothing to trust).
  const span = c.get('span')?.child('origin call', SpanKind.CLIENT) ?? null
  if (span) {
    headers.set(TRACEPARENT, span.traceparent())
    headers.delete(TRACESTATE)
  }
  try {
    const answered = await originAnswer(c, path, headers, body)
    span?.end({ status: answered.status })
    return answered
  } catch (error) {
    span?.end({ failed: true })
    throw error
  }
}

async function originAnswer(c: EdgeContext, path: string, headers: Headers, body: ForwardBody): Promise<Response> {
  const config = c.get('config')
  const abort = new AbortController()
  // The origin URL carries no path of its own: its origin plus the request's path is new URL(path, origin).
  const response = fetch(config.originUrl.origin + path, {
    method: c.req.method, headers, body: payloadOf(body), redirect: 'manual', signal: abort.signal,
  })
  if (config.originTimeoutMs === 0) return response
  // Only the wait for the response's head is bounded: once it is here the timer is gone, and a streaming body flows
  // for as long as it lasts. within(), not AbortSignal.timeout(), which would abort the body too.
  const answered = await within(response, config.originTimeoutMs)
  if (answered !== TIMED_OUT) return answered
  abort.abort()
  response.catch(() => undefined)
  throw new OriginTimeout(config.originTimeoutMs)
}

/** The ingress's marked answer meaning "this agent has no running endpoint" (also: "an agent I do not know"). */
export function isNoEndpoints(response: Response): boolean {
  return (response.status === 502 || response.status === 503) && response.headers.has(NO_ENDPOINTS)
}
