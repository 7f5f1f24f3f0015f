import { describe, expect, it } from 'vitest'
import { idleDueAt, isIdle } from './idle-clock.ts'

describe('the gate\'s idle clock', () => {
  it('goes cold the idle time after the last activity, unless a stream is open', () => {
    expect(idleDueAt(1_000, 300_000)).toBe(301_000)
    expect(isIdle(1_000, 300_000, 0, 300_999)).toBe(false)
    expect(isIdle(1_000, 300_000, 0, 301_000)).toBe(true)
    expect(isIdle(1_000, 300_000, 1, 10_000_000)).toBe(false)
  })

  it('never goes cold by itself with GATE_IDLE_MS=0', () => {
    expect(idleDueAt(1_000, 0)).toBeNull()
    expect(isIdle(1_000, 0, 0, Number.MAX_SAFE_INTEGER)).toBe(false)
  })
})
