// Recognises PostgreSQL errors the API turns into clean answers: unique violations → 409, and a platform
// database that cannot be reached (stopped, restarting, unreachable, out of connections) → 503 with Retry-After.

import { DrizzleQueryError } from 'drizzle-orm/errors'

const UNIQUE_VIOLATION = '23505'

/** Every error in `error`'s chain: Drizzle wraps driver errors in `cause`, Node puts happy-eyeballs attempts in `errors`. */
function* chain(error: unknown, depth = 0): Generator<unknown> {
  if (!error || typeof error !== 'object' || depth > 10) return
  yield error
  const { cause, errors } = error as { cause?: unknown; errors?: unknown }
  yield* chain(cause, depth + 1)
  if (Array.isArray(errors)) for (const inner of errors) yield* chain(inner, depth + 1)
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (const e of chain(error)) {
    const pgError = e as { code?: unknown; constraint?: unknown }
    if (pgError.code === UNIQUE_VIOLATION) return constraint === undefined || pgError.constraint === constraint
  }
  return false
}

/** Failures of the platform pool's connect (openDatabase marks them): no query ran, the server could not be had. */
const platformConnectFailures = new WeakSet<object>()

export function markPlatformConnectFailure<T>(error: T): T {
  if (error && typeof error === 'object') platformConnectFailures.add(error)
  return error
}

/** Socket errors of a server that is down, restarting or unreachable. */
const UNREACHABLE_ERRNOS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
])
/**
 * SQLSTATEs of a server that cannot serve now: class 08 (connection exception), 57P01–57P03 (administrator or crash
 * shutdown, cannot connect now: starting up or shutting down), 53300 (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/
/** node-postgres and pg-pool say these in words only: a connection that died, a connect that timed out. */
const UNAVAILABLE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|Cannot use a pool after calling end)/

function isConnectionFailure(e: unknown): boolean {
  const { code, message } = e as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && (UNREACHABLE_ERRNOS.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)
}

/**
 * True when `error` is the platform database being unreachable: any failure of the platform pool's connect, or a
 * connection-class failure of a query (Drizzle wraps every query's error). The same socket error from elsewhere (a
 * workload driver's API, an identity provider) is not the database's, and is not reported as such.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let fromQuery = false
  let connectionFailure = false
  for (const e of chain(error)) {
    // Whatever kept the pool from a connection (refused, timed out, the database not accepting connections), the
    // server could not be had: nothing ran.
    if (platformConnectFailures.has(e as object)) return true
    if (e instanceof DrizzleQueryError) fromQuery = true
    if (isConnectionFailure(e)) connectionFailure = true
  }
  return fromQuery && connectionFailure
}

/** The driver's own words for an unreachable database, for the log: never Drizzle's wrapper, which quotes the query's parameters. */
export function databaseFailureReason(error: unknown): string {
  for (const e of chain(error)) {
    if (isConnectionFailure(e)) {
      const { code, message } = e as { code?: unknown; message?: unknown }
      return [typeof code === 'string' ? code : null, typeof message === 'string' ? message : null].filter(Boolean).join(': ')
    }
  }
  return 'unknown'
}
