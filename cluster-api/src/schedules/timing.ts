// When a schedule fires: croner parses cron expressions and computes their next fire in the schedule's timezone; a
// one-shot fires at its `at`; an interval every `every`. Missed fires collapse: the next fire is always computed from
// now, so a platform that was down for ten ticks fires once on recovery, not ten times.

import { Cron } from 'croner'
import { ProblemError } from '../../../wire/problem.ts'

/** No schedule fires more often than this (issue 17): a superfriend is not a busy loop. */
export const MIN_INTERVAL_MS = 60_000
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const EVERY_PATTERN = /^(\d{1,9})(s|m|h|d)$/
/** Consecutive fires compared to find a cron expression's shortest gap. */
const GAP_SAMPLES = 12

export type Timing =
  | { kind: 'cron'; cron: string; timezone: string }
  | { kind: 'at'; at: Date }
  | { kind: 'every'; everyMs: number }

const invalid = (field: string, detail: string) => new ProblemError({
  status: 422, code: 'validation-failed', title: 'Request breaks the schema',
  detail: `${field}: ${detail}`,
  extensions: { errors: [{ path: field, message: detail }] },
})

export function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone })
  } catch {
    throw invalid('timezone', `unknown timezone "${timezone}" (an IANA name such as Europe/Berlin, or UTC)`)
  }
}

export function parseEvery(every: string): number {
  const match = EVERY_PATTERN.exec(every)
  if (!match) throw invalid('every', 'an interval like 90s, 15m, 2h or 1d')
  const ms = Number(match[1]) * UNITS[match[2]!]!
  if (ms < MIN_INTERVAL_MS) throw invalid('every', 'the interval must be at least one minute')
  return ms
}

function cronOf(timing: { cron: string; timezone: string }): Cron {
  try {
    return new Cron(timing.cron, { timezone: timing.timezone, paused: true })
  } catch (error) {
    throw invalid('cron', `not a cron expression: ${error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error)}`)
  }
}

/** Throws a 422 naming the field for a timing that cannot be stored. */
export function checkTiming(timing: Timing, now: Date): void {
  if (timing.kind === 'at') {
    if (timing.at.getTime() <= now.getTime()) throw invalid('at', 'must be in the future')
    return
  }
  if (timing.kind === 'every') {
    if (timing.everyMs < MIN_INTERVAL_MS) throw invalid('every', 'the interval must be at least one minute')
    return
  }
  checkTimezone(timing.timezone)
  const fires = cronOf(timing).nextRuns(GAP_SAMPLES, now)
  if (fires.length === 0) throw invalid('cron', 'the expression never fires')
  for (let i = 1; i < fires.length; i++) {
    if (fires[i]!.getTime() - fires[i - 1]!.getTime() < MIN_INTERVAL_MS) throw invalid('cron', 'fires more often than once a minute')
  }
}

/**
 * The next fire strictly after `now`; null when there is none (a one-shot that fired). `previous` is the fire being
 * claimed: an interval keeps its phase (previous + k·every), so a late tick does not drift the schedule.
 */
export function nextFire(timing: Timing, now: Date, previous: Date | null): Date | null {
  if (timing.kind === 'at') return previous === null && timing.at > now ? timing.at : null
  if (timing.kind === 'every') {
    if (previous === null) return new Date(now.getTime() + timing.everyMs)
    const behind = Math.max(0, now.getTime() - previous.getTime())
    return new Date(previous.getTime() + (Math.floor(behind / timing.everyMs) + 1) * timing.everyMs)
  }
  return cronOf(timing).nextRun(now)
}
