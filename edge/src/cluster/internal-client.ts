// Signed calls to the cluster-api's internal API (/internal/v1/*), typed by wire/internal-api.ts.
// The host we sign is the cluster-api's own host, and signHeaders sends it as X-Forwarded-Host.

import { REQUEST_ID } from '../../../wire/headers.ts'
import {
  INTERNAL_PATHS, UNKNOWN_KEY_CODE, type IngestBatch, type IngestResult, type KeyVerification, type RouteInfo, type UserTenants,
  type WorkloadStatus,
} from '../../../wire/internal-api.ts'
import { nodeBodyDigest } from '../../../wire/node-hmac.ts'
import { NO_BODY, signHeaders, type BodyBinding, type SigningKey } from '../../../wire/signature.ts'
import type { EdgeConfig } from '../config.ts'
import { TIMED_OUT, within } from '../within.ts'
import { INGEST_TIMEOUT_MS, LOOKUP_TIMEOUT_MS, STATUS_ANSWER_GRACE_MS, WAKE_CALL_TIMEOUT_MS } from '../budgets.ts'

/** A non-2xx answer from the cluster-api we did not expect; the message names the path, never the host. */
export class InternalApiError extends Error {
  readonly status: number
  constructor(status: number, path: string) {
    super(`cluster-api ${path} answered ${status}`)
    this.status = status
  }
}

export interface CallOptions {
  body?: unknown
  signal?: AbortSignal
  requestId?: string
  /** W3C traceparent of the caller's span (telemetry/tracing.ts); the cluster-api's spans continue it. */
  traceparent?: string
}

export class InternalClient {
  readonly #base: URL
  readonly #key: SigningKey

  constructor(config: Pick<EdgeConfig, 'clusterApiUrl' | 'edgeKey'>) {
    this.#base = config.clusterApiUrl
    this.#key = config.edgeKey
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const headers = new Headers({ accept: 'application/json' })
    if (options.requestId) headers.set(REQUEST_ID, options.requestId)
    if (options.traceparent) headers.set('traceparent', options.traceparent)
    let body: Uint8Array | undefined
    let binding: BodyBinding = NO_BODY
    if (options.body !== undefined) {
      body = new TextEncoder().encode(JSON.stringify(options.body))
      binding = { kind: 'digest', digest: nodeBodyDigest(body) }
      headers.set('content-type', 'application/json')
    }
    await signHeaders(headers, { method, host: this.#base.host, path, body: binding }, this.#key)
    const init: RequestInit = { method, headers }
    if (body !== undefined) init.body = body
    if (options.signal) init.signal = options.signal
    return fetch(new URL(path, this.#base), init)
  }

  async #json<T>(method: string, path: string, options: CallOptions, accept: number[] = []): Promise<{ status: number; body: T | null }> {
    const response = await this.call(method, path, options)
    if (response.ok) return { status: response.status, body: (await response.json()) as T }
    await response.body?.cancel()
    if (accept.includes(response.status)) return { status: response.status, body: null }
    throw new InternalApiError(response.status, path.split('?')[0] ?? path)
  }

  /**
   * `call` with a signal that aborts it after `ms` (or when `outer` aborts), when it then fails. Every call to the
   * cluster-api goes through here: a cluster-api that accepts connections but never answers (stopped, overloaded)
   * costs a caller at most `ms`, never a hang.
   */
  async #bounded<T>(what: string, ms: number, call: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
    // within() rather than AbortSignal.timeout(): that timer does not fire in every workerd context (a Durable
    // Object called over RPC from a test), and the call would hang.
    const abort = new AbortController()
    const forward = () => abort.abort(outer?.reason)
    if (outer?.aborted) forward()
    outer?.addEventListener('abort', forward)
    try {
      const result = await within(call(abort.signal), ms)
      if (result !== TIMED_OUT) return result
      abort.abort()
      throw new Error(`cluster-api ${what} did not answer within ${ms} ms`)
    } finally {
      outer?.removeEventListener('abort', forward)
    }
  }

  /** null when the slug is unknown. */
  async route(slug: string, requestId?: string): Promise<RouteInfo | null> {
    return this.#bounded('route lookup', LOOKUP_TIMEOUT_MS, async (signal) => (await this.#json<RouteInfo>('GET', INTERNAL_PATHS.route(slug), { requestId, signal }, [404])).body)
  }

  /**
   * null when the cluster-api says the key is unknown or revoked. Any other refusal (a 401 for the edge's own
   * signature: a clock or a secret out of step) throws, so a cached good key is not taken for a revoked one.
   */
  async verifyKey(key: string, requestId?: string): Promise<KeyVerification | null> {
    const path = INTERNAL_PATHS.verifyKey
    return this.#bounded('key verification', LOOKUP_TIMEOUT_MS, async (signal) => {
      const response = await this.call('POST', path, { body: { key }, requestId, signal })
      if (response.ok) return (await response.json()) as KeyVerification
      const problem = (await response.json().catch(() => null)) as { code?: unknown } | null
      if (response.status === 401 && problem?.code === UNKNOWN_KEY_CODE) return null
      throw new InternalApiError(response.status, path)
    })
  }

  async userTenants(userId: string, requestId?: string): Promise<UserTenants> {
    return this.#bounded('membership lookup', LOOKUP_TIMEOUT_MS, async (signal) => {
      const { body } = await this.#json<UserTenants>('GET', INTERNAL_PATHS.userTenants(userId), { requestId, signal }, [404])
      return body ?? { userId, tenantIds: [] }
    })
  }

  async wake(agentId: string, signal?: AbortSignal, traceparent?: string): Promise<WorkloadStatus> {
    return this.#bounded('wake', WAKE_CALL_TIMEOUT_MS,
      async (bounded) => (await this.#json<WorkloadStatus>('POST', INTERNAL_PATHS.wake(agentId), { signal: bounded, traceparent })).body!, signal)
  }

  async status(agentId: string, waitMs: number, signal?: AbortSignal, traceparent?: string): Promise<WorkloadStatus> {
    const path = `${INTERNAL_PATHS.status(agentId)}${waitMs > 0 ? `?waitMs=${waitMs}` : ''}`
    return this.#bounded('status', Math.max(waitMs, 0) + STATUS_ANSWER_GRACE_MS,
      async (bounded) => (await this.#json<WorkloadStatus>('GET', path, { signal: bounded, traceparent })).body!, signal)
  }

  async ingest(batch: IngestBatch): Promise<IngestResult> {
    return this.#bounded('ingest', INGEST_TIMEOUT_MS, async (signal) => (await this.#json<IngestResult>('POST', INTERNAL_PATHS.ingest, { body: batch, signal })).body!)
  }
}
