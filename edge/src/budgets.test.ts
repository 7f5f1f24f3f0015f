// The promises the edge's timing budgets make to each other, checked where they are all in one place.

import { describe, expect, it } from 'vitest'
import { MAX_STATUS_WAIT_MS } from '../../wire/internal-api.ts'
import {
  ACCESS_RECHECK_INTERVAL_MS, BAD_KEY_CACHE_TTL_MS, KEY_FRESH_MS, KEY_MAX_AGE_MS, LOAD_GIVE_UP_MS, LONG_POLL_MS, LOOKUP_TIMEOUT_MS,
  NEGATIVE_ROUTE_TTL_MS, POLL_BACKOFF_MAX_MS, POLL_BACKOFF_START_MS, RECHECK_AFTER_MESSAGE_GAP_MS, REPORT_GAP_MS, REPORT_LOOP_MAX_MS,
  REPORT_TIMEOUT_MS, ROUTE_CACHE_FRESH_MS, ROUTE_CACHE_MAX_AGE_MS, ROUTE_DECIDES_AT_MOST_MS, ROUTE_FRESH_MS, ROUTE_MAX_AGE_MS,
  SHARED_WAIT_GRACE_MS, STATUS_ANSWER_GRACE_MS, USER_TENANTS_FRESH_MS, USER_TENANTS_MAX_AGE_MS, WAIT_ROUND_MS, WAIT_UNTIL_GRANT_MS,
  WAKE_CALL_TIMEOUT_MS, WARM_TTL_MS,
} from './budgets.ts'
import { EDGE_SETTINGS } from './settings.ts'

const defaultWakeTimeoutMs = EDGE_SETTINGS.settings.wakeTimeoutMs.fallback
const defaultGateIdleMs = EDGE_SETTINGS.settings.gateIdleMs.fallback

describe('the edge\'s timing budgets', () => {
  it('never let a route older than 45 s decide who may talk to an agent (an isolate\'s copy of the gate\'s copy)', () => {
    expect(ROUTE_DECIDES_AT_MOST_MS).toBe(45_000)
    expect(ROUTE_CACHE_MAX_AGE_MS + ROUTE_MAX_AGE_MS).toBeLessThanOrEqual(ROUTE_DECIDES_AT_MOST_MS)
  })

  it('refresh every cache before its copies are too old to use, and forget a miss no later', () => {
    for (const [fresh, maxAge] of [
      [ROUTE_CACHE_FRESH_MS, ROUTE_CACHE_MAX_AGE_MS], [ROUTE_FRESH_MS, ROUTE_MAX_AGE_MS], [KEY_FRESH_MS, KEY_MAX_AGE_MS],
      [USER_TENANTS_FRESH_MS, USER_TENANTS_MAX_AGE_MS],
    ]) expect(fresh).toBeLessThan(maxAge!)
    expect(NEGATIVE_ROUTE_TTL_MS).toBeLessThanOrEqual(ROUTE_CACHE_MAX_AGE_MS)
    expect(BAD_KEY_CACHE_TTL_MS).toBeLessThanOrEqual(KEY_MAX_AGE_MS)
  })

  it('close a revoked WebSocket within the caches\' max age: a re-check comes before a copy could expire', () => {
    const closesWithin = ACCESS_RECHECK_INTERVAL_MS + Math.max(KEY_FRESH_MS, USER_TENANTS_FRESH_MS)
    expect(closesWithin).toBeLessThanOrEqual(Math.min(KEY_MAX_AGE_MS, USER_TENANTS_MAX_AGE_MS))
    expect(RECHECK_AFTER_MESSAGE_GAP_MS).toBeLessThanOrEqual(ACCESS_RECHECK_INTERVAL_MS)
  })

  it('keep every wait a request hands to waitUntil inside Cloudflare\'s 30 s grant', () => {
    expect(WAIT_UNTIL_GRANT_MS).toBe(30_000)
    // A held request's one waitForWake round, and how long a waiter trusts a shared one.
    expect(WAIT_ROUND_MS + SHARED_WAIT_GRACE_MS).toBeLessThan(WAIT_UNTIL_GRANT_MS)
    // The longest usage push loop: its own bound, then two pushes that time out and a gap.
    expect(REPORT_LOOP_MAX_MS + 2 * REPORT_TIMEOUT_MS + REPORT_GAP_MS).toBeLessThanOrEqual(WAIT_UNTIL_GRANT_MS)
  })

  it('time a lookup out before the cache gives its load up, so a caller sees the lookup\'s own error', () => {
    expect(LOOKUP_TIMEOUT_MS).toBeLessThan(LOAD_GIVE_UP_MS)
  })

  it('ask the cluster-api for long polls it holds, and give up on a wake call while held requests still wait', () => {
    expect(LONG_POLL_MS).toBeLessThanOrEqual(MAX_STATUS_WAIT_MS)
    expect(STATUS_ANSWER_GRACE_MS).toBeGreaterThan(0)
    expect(WAKE_CALL_TIMEOUT_MS).toBeLessThan(defaultWakeTimeoutMs)
    expect(POLL_BACKOFF_START_MS).toBeLessThan(POLL_BACKOFF_MAX_MS)
    expect(POLL_BACKOFF_MAX_MS).toBeLessThan(LONG_POLL_MS)
  })

  it('let no warm mark outlive the gate\'s default idle time', () => {
    expect(WARM_TTL_MS).toBeLessThanOrEqual(defaultGateIdleMs)
  })
})
