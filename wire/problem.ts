// RFC 9457 problem details, shared so every part answers errors in the same shape.

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

export function problem(status: number, code: string, title: string, detail?: string, extra: Record<string, unknown> = {}): Problem {
  return { type: PROBLEM_TYPE_BASE + code, title, status, code, ...(detail ? { detail } : {}), ...extra }
}

export function problemResponse(p: Problem, headers: HeadersInit = {}): Response {
  const h = new Headers(headers)
  h.set('content-type', PROBLEM_CONTENT_TYPE)
  return new Response(JSON.stringify(p), { status: p.status, headers: h })
}
