// Sends a run's turn to the agent's runtime the way the edge forwards a chat request: POST /v1/chat with
// Accept: text/event-stream through the ingress (Traefik, or the local driver's ingress), the injected headers signed
// under the agent's own key (wire/signature.ts). Yields the runtime's SSE events as they arrive.

import { randomBytes } from 'node:crypto'
import { AGENT_ID, PRINCIPAL, PRINCIPAL_ACCESS, REQUEST_ID, TENANT_HOST, TENANT_ID, NO_ENDPOINTS } from '../../../wire/headers.ts'
import { AgentKeys, nodeBodyDigest } from '../../../wire/node-hmac.ts'
import { signHeaders } from '../../../wire/signature.ts'
import { createSseParser, type SseEvent } from '../../../wire/sse.ts'

/** The host the signature names: no client asked for one, so it is the agent's own name under a platform suffix. */
export const RUN_HOST_SUFFIX = 'runs.internal'

export interface TurnTarget {
  agentId: string
  tenantId: string
  slug: string
  /** X-Principal of the turn (who created the run or its schedule); always a member of the tenant. */
  principal: string
  runId: string
}

/** The ingress answered that the agent has no running endpoint: it went to sleep (or died) after the wake. */
export class NoEndpoints extends Error {}
/** The runtime refused the turn with an HTTP error before streaming (its problem+json, summarised). */
export class TurnRefused extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export class TurnClient {
  readonly #keys: AgentKeys
  readonly #originUrl: () => string | null

  constructor(signingSecret: string, originUrl: () => string | null) {
    this.#keys = new AgentKeys(signingSecret)
    this.#originUrl = originUrl
  }

  async *send(target: TurnTarget, body: { message: string; conversationId?: string }, signal: AbortSignal): AsyncGenerator<SseEvent> {
    const origin = this.#originUrl()
    if (!origin) throw new NoEndpoints('no ingress to reach runtimes through (no driver, no MYINTELL_RUNS_ORIGIN_URL)')
    const bytes = new TextEncoder().encode(JSON.stringify(body))
    const headers = new Headers({ 'content-type': 'application/json', accept: 'text/event-stream' })
    headers.set(TENANT_HOST, target.slug)
    headers.set(TENANT_ID, target.tenantId)
    headers.set(AGENT_ID, target.agentId)
    headers.set(PRINCIPAL, target.principal)
    headers.set(PRINCIPAL_ACCESS, 'member')
    headers.set(REQUEST_ID, `run-${target.runId}-${randomBytes(4).toString('hex')}`)
    const path = '/v1/chat'
    await signHeaders(headers, { method: 'POST', host: `${target.slug}.${RUN_HOST_SUFFIX}`, path, body: { kind: 'digest', digest: nodeBodyDigest(bytes) } },
      this.#keys.for(target.agentId))
    const response = await fetch(new URL(path, origin), { method: 'POST', headers, body: bytes, signal })
    if ((response.status === 502 || response.status === 503) && response.headers.has(NO_ENDPOINTS)) {
      await response.body?.cancel()
      throw new NoEndpoints(`the ingress has no endpoint for the agent (${response.status})`)
    }
    if (!response.ok || !response.body) {
      const text = (await response.text().catch(() => '')).slice(0, 500)
      let title = text
      try {
        title = (JSON.parse(text) as { title?: string; detail?: string }).detail ?? (JSON.parse(text) as { title?: string }).title ?? text
      } catch { /* not JSON: the text itself */ }
      throw new TurnRefused(response.status, `the runtime answered ${response.status}: ${title}`)
    }
    const queue: SseEvent[] = []
    const parser = createSseParser((event) => queue.push(event))
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) parser.end()
        else parser.push(value)
        while (queue.length > 0) yield queue.shift()!
        if (done) return
      }
    } finally {
      reader.cancel().catch(() => {})
    }
  }
}
