// Errors in an OpenAI client's own shape: which paths are the OpenAI API's, its error object, and the 405 for a known
// OpenAI path called with the wrong method. Everything else on a superfriend answers problem+json (http/errors.ts).
import { ProblemError } from '../../../wire/problem.ts'

/** The OpenAI routes a superfriend serves, with their methods: a call with another method is a 405, not a 404. */
const OPENAI_ROUTES: ReadonlyArray<{ pattern: RegExp; methods: readonly string[] }> = [
  { pattern: /^\/v1\/chat\/completions$/, methods: ['POST'] },
  { pattern: /^\/v1\/responses$/, methods: ['POST'] },
  { pattern: /^\/v1\/responses\/[^/]+$/, methods: ['GET', 'DELETE'] },
  { pattern: /^\/v1\/models$/, methods: ['GET'] },
  { pattern: /^\/v1\/models\/[^/]+$/, methods: ['GET'] },
]

/**
 * Top-level resources of the OpenAI API that a client pointed at a superfriend may call (most of which it does not
 * serve): their 404s must reach the client as OpenAI errors too. `/v1/chat` itself, `/v1/conversations`,
 * `/v1/memories` and `/v1/ws` are the superfriend's own API and keep problem+json.
 */
const OPENAI_RESOURCES = new Set([
  'responses', 'models', 'completions', 'embeddings', 'images', 'audio', 'files', 'uploads', 'moderations',
  'assistants', 'threads', 'batches', 'fine_tuning', 'fine-tunes', 'vector_stores', 'realtime', 'containers', 'evals',
  'organization',
])

/** Paths that answer errors the way the OpenAI API does, so OpenAI clients surface them properly. */
export function isOpenAiPath(path: string): boolean {
  const [, v1, resource] = path.split('/')
  if (v1 !== 'v1' || resource === undefined) return false
  // /v1/chat/completions and below are OpenAI's; /v1/chat itself is the superfriend's own chat.
  if (resource === 'chat') return path === '/v1/chat/completions' || path.startsWith('/v1/chat/completions/')
  return OPENAI_RESOURCES.has(resource)
}

/** OpenAI's error `type` for a status, as its clients map them to error classes. */
function openAiType(status: number): string {
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404) return 'not_found_error'
  if (status === 429) return 'rate_limit_error'
  if (status >= 500) return 'server_error'
  return 'invalid_request_error'
}

/** `{ error: { message, type, param, code } }`; the error's `param` extension names the offending parameter. */
export function openAiErrorResponse(err: ProblemError, headers: Headers): Response {
  headers.set('content-type', 'application/json')
  const param = typeof err.extensions.param === 'string' ? err.extensions.param : null
  const body = { error: { message: err.detail ?? err.title, type: openAiType(err.status), param, code: err.code } }
  return new Response(JSON.stringify(body), { status: err.status, headers })
}

/** A 405 naming the allowed methods when `path` is an OpenAI route served with other methods; null otherwise. */
export function methodNotAllowed(method: string, path: string): ProblemError | null {
  const route = OPENAI_ROUTES.find((r) => r.pattern.test(path))
  if (!route || route.methods.includes(method)) return null
  return new ProblemError({
    status: 405, code: 'method_not_allowed', title: 'Method not allowed',
    detail: `${method} is not allowed on ${path}; use ${route.methods.join(' or ')}.`,
    headers: { allow: route.methods.join(', ') },
  })
}
