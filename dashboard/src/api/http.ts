// One way to call a JSON endpoint: bearer credentials, the tenant header, and RFC 9457 problems turned into
// ApiProblem errors whose `detail` is safe to show to the user.

export const TENANT_HEADER = 'x-myintell-tenant'
/** Fired on window when a request with credentials comes back 401: the session ended (expired or revoked). */
export const SESSION_ENDED_EVENT = 'myintell:session-ended'

export class ApiProblem extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string | undefined

  constructor(status: number, code: string, title: string, detail?: string) {
    super(detail ? `${title}: ${detail}` : title)
    this.name = 'ApiProblem'
    this.status = status
    this.code = code
    this.title = title
    this.detail = detail
  }
}

export interface Credentials {
  token: string
  tenantId?: string | null
}

export interface RequestOptions {
  method?: string
  body?: unknown
  query?: Record<string, string | number | undefined>
  signal?: AbortSignal
}

export function withQuery(url: string, query: RequestOptions['query']): string {
  if (!query) return url
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value))
  const text = params.toString()
  return text ? `${url}?${text}` : url
}

export function authHeaders(credentials: Credentials): Headers {
  const headers = new Headers({ authorization: `Bearer ${credentials.token}` })
  if (credentials.tenantId) headers.set(TENANT_HEADER, credentials.tenantId)
  return headers
}

/** Reads a failed response as a problem; anything else (an HTML error page, a network proxy) gets a generic title. */
export async function problemFrom(response: Response): Promise<ApiProblem> {
  const type = response.headers.get('content-type') ?? ''
  if (type.includes('json')) {
    try {
      const body = (await response.json()) as { code?: string; title?: string; detail?: string }
      return new ApiProblem(response.status, body.code ?? `http-${response.status}`, body.title ?? response.statusText, body.detail)
    } catch {
      // fall through to the generic problem
    }
  }
  return new ApiProblem(response.status, `http-${response.status}`, response.statusText || `HTTP ${response.status}`)
}

export async function requestJson<T>(url: string, credentials: Credentials | null, options: RequestOptions = {}): Promise<T> {
  const headers = credentials ? authHeaders(credentials) : new Headers()
  let body: string | undefined
  if (options.body !== undefined) {
    headers.set('content-type', 'application/json')
    body = JSON.stringify(options.body)
  }
  headers.set('accept', 'application/json')
  let response: Response
  try {
    response = await fetch(withQuery(url, options.query), { method: options.method ?? 'GET', headers, body, signal: options.signal })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiProblem(0, 'network', 'The server could not be reached', 'Check your connection and try again.')
  }
  if (!response.ok) {
    if (response.status === 401 && credentials && typeof window !== 'undefined') window.dispatchEvent(new Event(SESSION_ENDED_EVENT))
    throw await problemFrom(response)
  }
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}
