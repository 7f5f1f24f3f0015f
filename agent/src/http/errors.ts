// Request failures as one error type, rendered once: problem+json everywhere, OpenAI's error shape on OpenAI routes.
// Clients get a status, a stable code and a short safe message; never a stack or an internal hostname.
import { problem, PROBLEM_CONTENT_TYPE } from '../../../wire/problem.ts'

export class HttpError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string | undefined
  /** OpenAI error `param`: the offending request field, when there is one. */
  readonly param: string | null
  readonly headers: Record<string, string>
  /** Extra problem members (RFC 9457 extensions), e.g. the partial reply of a failed turn. */
  readonly extra: Record<string, unknown>

  constructor(status: number, code: string, title: string, detail?: string, opts: { param?: string; headers?: Record<string, string>; extra?: Record<string, unknown> } = {}) {
    super(detail ? `${title}: ${detail}` : title)
    this.status = status
    this.code = code
    this.title = title
    this.detail = detail
    this.param = opts.param ?? null
    this.headers = opts.headers ?? {}
    this.extra = opts.extra ?? {}
  }
}

/** Paths that answer errors the way the OpenAI API does, so OpenAI clients surface them properly. */
export function isOpenAiPath(path: string): boolean {
  return path === '/v1/chat/completions' || path === '/v1/models' || path.startsWith('/v1/models/')
}

function openAiType(status: number): string {
  if (status === 401) return 'authentication_error'
  if (status === 404) return 'not_found_error'
  if (status === 429) return 'rate_limit_error'
  if (status >= 500) return 'server_error'
  return 'invalid_request_error'
}

export function errorResponse(err: HttpError, path: string): Response {
  const headers = new Headers(err.headers)
  if (isOpenAiPath(path)) {
    headers.set('content-type', 'application/json')
    const body = { error: { message: err.detail ?? err.title, type: openAiType(err.status), param: err.param, code: err.code } }
    return new Response(JSON.stringify(body), { status: err.status, headers })
  }
  headers.set('content-type', PROBLEM_CONTENT_TYPE)
  return new Response(JSON.stringify(problem(err.status, err.code, err.title, err.detail, err.extra)), { status: err.status, headers })
}

export function internalError(): HttpError {
  return new HttpError(500, 'internal', 'Internal error', 'The superfriend failed to handle this request.')
}
