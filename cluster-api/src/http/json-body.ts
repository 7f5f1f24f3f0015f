// Reads and validates a JSON body for plain (non-OpenAPI) routes: malformed JSON → 400,
// a body that breaks the schema (wrong types, unknown fields) → 422, both as problem+json.

import type { Context } from 'hono'
import type { z } from 'zod'
import { ApiError } from './problems.ts'

export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let body: unknown
  try {
    body = JSON.parse(await c.req.text())
  } catch {
    throw new ApiError(400, 'malformed-json', 'Request body is not valid JSON')
  }
  const result = schema.safeParse(body)
  if (!result.success) throw validationError(result.error)
  return result.data
}

export function validationError(error: z.ZodError): ApiError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message, code: issue.code }))
  return new ApiError(422, 'validation-failed', 'Request does not match the schema', {
    detail: issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '),
    extra: { issues },
  })
}
