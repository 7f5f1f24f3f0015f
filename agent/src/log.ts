// The runtime's logger: JSON lines on stderr, so stdout carries only the `listening` announcement.
// Secret-bearing fields are redacted by path as a second line of defence; callers log identities, not configs.
import pino from 'pino'
import { fdDestination } from './log-destination.ts'

export type Logger = pino.Logger

export function createLogger(level = process.env.LOG_LEVEL || 'info'): Logger {
  return pino({
    level,
    base: { service: 'agent-runtime' },
    redact: {
      paths: ['secrets', '*.secrets', 'tenantDatabaseUrl', '*.tenantDatabaseUrl', 'authorization', '*.authorization', 'token', '*.token'],
      censor: '[redacted]',
    },
  }, fdDestination(2))
}

/** A logger that drops everything: for in-process tests and benches. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
