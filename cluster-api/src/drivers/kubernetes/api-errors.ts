// How the driver reads Kubernetes API failures: Status bodies from ApiException, and transport errors
// (connection refused, reset, timeouts) that mean "the API server is unreachable, try again later".

import { ApiException } from '@kubernetes/client-node'

export interface ApiFailure {
  /** HTTP status, or 0 when no answer came back. */
  code: number
  /** The Status reason (NotFound, AlreadyExists, Conflict, Invalid, …) when the server sent one. */
  reason: string | undefined
  message: string
}

export function describeFailure(err: unknown): ApiFailure {
  if (err instanceof ApiException) {
    const body = parseBody(err.body)
    return { code: err.code, reason: body?.reason, message: body?.message ?? err.message }
  }
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'number' ? (err as { code: number }).code : 0
  return { code, reason: undefined, message: err instanceof Error ? causeChain(err) : String(err) }
}

function parseBody(body: unknown): { reason?: string; message?: string } | undefined {
  if (typeof body === 'string') {
    try { return JSON.parse(body) as { reason?: string; message?: string } } catch { return undefined }
  }
  return typeof body === 'object' && body !== null ? (body as { reason?: string; message?: string }) : undefined
}

function causeChain(err: Error): string {
  const parts = [err.message]
  let cause = err.cause
  while (cause instanceof Error && parts.length < 4) {
    parts.push(cause.message)
    cause = cause.cause
  }
  return parts.join(': ')
}

export function isNotFound(err: unknown): boolean {
  return describeFailure(err).code === 404
}

export function isAlreadyExists(err: unknown): boolean {
  const f = describeFailure(err)
  return f.code === 409 && f.reason === 'AlreadyExists'
}

/** A 409 that a retry can fix: the object changed under us (not AlreadyExists). */
export function isConflict(err: unknown): boolean {
  const f = describeFailure(err)
  return f.code === 409 && f.reason !== 'AlreadyExists'
}

/** Socket-level failures: the API server is down, restarting or unreachable. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CLOSED'])

function isNetworkError(err: unknown): boolean {
  for (let current = err, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    // undici's fetch (client-node 2.x) fails with TypeError("fetch failed") whatever the socket error.
    if (current instanceof TypeError && current.message === 'fetch failed') return true
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true
    if (current instanceof ApiException) return false
  }
  return false
}

/** No answer, or an answer that says "later": worth retrying with backoff. Anything else is a real failure. */
export function isTransient(err: unknown): boolean {
  if (err instanceof KubernetesApiError) return isTransient(err.cause)
  if (err instanceof ApiException) return err.code === 429 || err.code >= 500
  return isNetworkError(err)
}

/** Wraps `err` with what the driver was doing, keeping the API failure readable in the log. */
export class KubernetesApiError extends Error {
  readonly failure: ApiFailure
  constructor(action: string, err: unknown) {
    const failure = describeFailure(err)
    super(`kubernetes API: ${action} failed (${failure.code || 'unreachable'}${failure.reason ? ` ${failure.reason}` : ''}): ${failure.message}`, { cause: err })
    this.name = 'KubernetesApiError'
    this.failure = failure
  }
}
