// Reads and validates a JSON body for plain (non-OpenAPI) routes: malformed JSON → 400,
// a body that breaks the schema (wrong types, unknown fields) → 422, both as problem+json.

import type { Context } from 'hono'
import type { z } from 'zod'
import { ProblemError } from '../../../wire/problem.ts'

export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let body: unknown
  try {
    body = JSON.parse(await c.req.text())
  } catch {
    throw new ProblemError({ status: 400, code: 'malformed-json', title: 'Request body is not valid JSON' })
  }
  const result = schema.safeParse(body)
  if (!result.success) throw validationError(result.error)
  return result.data
}

export function validationError(error: z.ZodError): ProblemError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message, code: issue.code }))
  return new ProblemError({
    status: 422, code: 'validation-failed', title: 'Request does not match the schema',
    detail: issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '),
    extensions: { issues },
  })
}
