// Recognises PostgreSQL errors the API turns into clean answers (unique violations → 409).

const UNIQUE_VIOLATION = '23505'

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  // Drizzle wraps driver errors; the PostgreSQL error sits in `cause`.
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const pgError = e as { code?: unknown; constraint?: unknown }
    if (pgError.code === UNIQUE_VIOLATION) return constraint === undefined || pgError.constraint === constraint
  }
  return false
}
