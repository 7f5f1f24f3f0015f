// Kubernetes `Status` error bodies: what every failed request of the fake answers, as a real API server does.

export type StatusReason = 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'MethodNotAllowed' | 'UnsupportedMediaType' | 'InternalError' | 'ServiceUnavailable' | 'Expired'

const CODES: Record<StatusReason, number> = {
  Forbidden: 403,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  BadRequest: 400,
  MethodNotAllowed: 405,
  UnsupportedMediaType: 415,
  InternalError: 500,
  ServiceUnavailable: 503,
  /** A resourceVersion older than the history kept (watch, or list with an exact version): 410 Gone. */
  Expired: 410,
}

/** Thrown inside the fake; the server turns it into a Status response. */
export class KubeStatusError extends Error {
  readonly reason: StatusReason
  readonly code: number
  readonly details: Record<string, unknown> | undefined

  constructor(reason: StatusReason, message: string, details?: Record<string, unknown>) {
    super(message)
    this.reason = reason
    this.code = CODES[reason]
    this.details = details
  }

  toStatus(): object {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    }
  }
}

export function statusFor(reason: StatusReason, message: string, details?: Record<string, unknown>): KubeStatusError {
  return new KubeStatusError(reason, message, details)
}

export function successStatus(details: Record<string, unknown>): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details }
}
