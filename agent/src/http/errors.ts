// Request failures as one error type (ProblemError, wire/problem.ts), rendered once: problem+json everywhere, OpenAI's
// error shape on OpenAI routes (http/openai-errors.ts says which they are).
// Clients get a status, a stable code and a short safe message; never a stack or an internal hostname.
import { PROBLEM_CONTENT_TYPE, ProblemError } from '../../../wire/problem.ts'
import { isOpenAiPath, openAiErrorResponse } from './openai-errors.ts'

export function errorResponse(err: ProblemError, path: string): Response {
  const headers = new Headers(err.headers)
  if (isOpenAiPath(path)) {
    return openAiErrorResponse(err, headers)
  }
  headers.set('content-type', PROBLEM_CONTENT_TYPE)
  return new Response(JSON.stringify(err.toProblem()), { status: err.status, headers })
}

export function internalError(): ProblemError {
  return new ProblemError({ status: 500, code: 'internal', title: 'Internal error', detail: 'The superfriend failed to handle this request.' })
}
