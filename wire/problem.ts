// RFC 9457 problem details, shared so every part answers errors in the same shape: one error type, ProblemError,
// thrown by a part's own factory functions and rendered by its one onError.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'
export const PROBLEM_TYPE_BASE = 'https://myintell.ai/problems/'

export interface Problem {
  type: string
  title: string
  status: number
  detail?: string
  /** Stable machine-readable code; `type` is PROBLEM_TYPE_BASE + code. */
  code: string
  instance?: string
  [extension: string]: unknown
}

export interface ProblemInit {
  status: number
  /** Stable machine-readable code; clients key on it. */
  code: string
  /** Short, safe for the client, the same for every occurrence of the problem. */
  title: string
  /** This occurrence, in one sentence safe for the client (no stack, no internal hostname). */
  detail?: string | undefined
  /** Default PROBLEM_TYPE_BASE + code. */
  type?: string
  /** The request path it happened on; the part's onError usually fills it in. */
  instance?: string | undefined
  /** Response headers that go with it (Retry-After, WWW-Authenticate, …). */
  headers?: Record<string, string>
  /** RFC 9457 extension members, e.g. `requiredScope` or the partial reply of a failed turn. */
  extensions?: Record<string, unknown>
  /** For the log only; never sent. */
  cause?: unknown
}

/** A failed request: what a stage or route throws, and what its part's one onError turns into a response. */
export class ProblemError extends Error {
  readonly type: string
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string | undefined
  readonly instance: string | undefined
  readonly headers: Record<string, string>
  readonly extensions: Record<string, unknown>

  constructor(init: ProblemInit) {
    super(init.detail ? `${init.code}: ${init.title}: ${init.detail}` : `${init.code}: ${init.title}`, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = 'ProblemError'
    this.type = init.type ?? PROBLEM_TYPE_BASE + init.code
    this.status = init.status
    this.code = init.code
    this.title = init.title
    this.detail = init.detail
    this.instance = init.instance
    this.headers = init.headers ?? {}
    this.extensions = init.extensions ?? {}
  }

  /** The problem document; `extra` members (a request id) and an `instance` join it for this answer. */
  toProblem(extra: { instance?: string; extensions?: Record<string, unknown> } = {}): Problem {
    const instance = extra.instance ?? this.instance
    return {
      type: this.type, title: this.title, status: this.status, code: this.code,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extensions, ...extra.extensions,
    }
  }
}

/** A 502, 503 or 504 is a "not now": without Retry-After a client either gives up or retries at once in a loop. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504])

/** `headers`, plus Retry-After for a 502/503/504 whose thrower named no time of its own. */
export function withDefaultRetryAfter(status: number, headers: Record<string, string>, seconds: number): Record<string, string> {
  if (!RETRYABLE_STATUSES.has(status) || Object.keys(headers).some((name) => name.toLowerCase() === 'retry-after')) return headers
  return { ...headers, 'retry-after': String(seconds) }
}

export function problem(status: number, code: string, title: string, detail?: string, extra: Record<string, unknown> = {}): Problem {
  return { type: PROBLEM_TYPE_BASE + code, title, status, code, ...(detail ? { detail } : {}), ...extra }
}

export function problemResponse(p: Problem, headers: HeadersInit = {}): Response {
  const h = new Headers(headers)
  h.set('content-type', PROBLEM_CONTENT_TYPE)
  return new Response(JSON.stringify(p), { status: p.status, headers: h })
}
