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

/** No answer, or an answer that says "later": worth retrying with backoff. */
export function isTransient(err: unknown): boolean {
  const { code } = describeFailure(err)
  return code === 0 || code === 429 || code >= 500
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
  get transient(): boolean {
    return isTransient(this.cause)
  }
}
