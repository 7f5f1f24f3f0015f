import { describe, expect, it } from 'vitest'
import { takeToken } from './rate-limit.ts'

describe('takeToken', () => {
  it('allows a burst, then asks the caller to wait, then refills with time', () => {
    const tenant = `ten-${crypto.randomUUID()}`
    const t = 1_000_000
    expect([takeToken(tenant, 1, 2, t), takeToken(tenant, 1, 2, t)]).toEqual([0, 0])
    expect(takeToken(tenant, 1, 2, t)).toBe(1)
    expect(takeToken(tenant, 1, 2, t + 1_000)).toBe(0)
  })

  it('keeps tenants apart', () => {
    const a = `ten-${crypto.randomUUID()}`
    const b = `ten-${crypto.randomUUID()}`
    expect(takeToken(a, 1, 1, 0)).toBe(0)
    expect(takeToken(a, 1, 1, 0)).toBe(1)
    expect(takeToken(b, 1, 1, 0)).toBe(0)
  })
})
