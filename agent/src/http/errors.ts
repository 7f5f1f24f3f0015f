// Request failures as one error type (ProblemError, wire/problem.ts), rendered once: problem+json everywhere, OpenAI's
// error shape on OpenAI routes (whose `param` an error carries as its `param` extension member).
// Clients get a status, a stable code and a short safe message; never a stack or an internal hostname.
import { PROBLEM_CONTENT_TYPE, ProblemError } from '../../../wire/problem.ts'

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

export function errorResponse(err: ProblemError, path: string): Response {
  const headers = new Headers(err.headers)
  if (isOpenAiPath(path)) {
    headers.set('content-type', 'application/json')
    const param = typeof err.extensions.param === 'string' ? err.extensions.param : null
    const body = { error: { message: err.detail ?? err.title, type: openAiType(err.status), param, code: err.code } }
    return new Response(JSON.stringify(body), { status: err.status, headers })
  }
  headers.set('content-type', PROBLEM_CONTENT_TYPE)
  return new Response(JSON.stringify(err.toProblem()), { status: err.status, headers })
}

export function internalError(): ProblemError {
  return new ProblemError({ status: 500, code: 'internal', title: 'Internal error', detail: 'The superfriend failed to handle this request.' })
}
