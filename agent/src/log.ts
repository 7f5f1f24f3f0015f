// The runtime's logger: JSON lines on stderr, so stdout carries only the `listening` announcement.
// Secret-bearing fields are redacted by path as a second line of defence; callers log identities, not configs.
import pino from 'pino'
import { fdDestination } from './log-destination.ts'

export type Logger = pino.Logger

function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { service: 'agent-runtime' },
    redact: {
      paths: ['secrets', '*.secrets', 'tenantDatabaseUrl', '*.tenantDatabaseUrl', 'authorization', '*.authorization', 'token', '*.token'],
      censor: '[redacted]',
    },
  }
}

/** `level` comes from the runtime's settings (LOG_LEVEL, config/env.ts). */
export function createLogger(level: string): Logger {
  return pino(loggerOptions(level), fdDestination(2, { droppedNotice: droppedNotice(level) }))
}

/**
 * The line that says how many log lines a full stderr cost, formatted by pino like every other line (level, time,
 * base fields); '' when the level leaves out warnings.
 */
export function droppedNotice(level: string): (count: number) => string {
  let line = ''
  const notices = pino(loggerOptions(level), { write: (s: string) => { line = s } })
  return (count) => {
    line = ''
    notices.warn({ event: 'log-lines-dropped', dropped: count }, 'log lines dropped: stderr was full (its reader did not keep up)')
    return line
  }
}

/** A logger that drops everything: for in-process tests and benches. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
