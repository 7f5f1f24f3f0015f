import { describe, expect, it } from 'vitest'
import { TIMED_OUT, within } from './within.ts'

describe('within', () => {
  it('gives the value of a promise that settles in time', async () => {
    expect(await within(Promise.resolve(42), 1_000)).toBe(42)
  })

  it('gives TIMED_OUT when the time runs out first', async () => {
    const started = Date.now()
    expect(await within(new Promise(() => undefined), 30)).toBe(TIMED_OUT)
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
  })

  it('passes on a rejection that comes in time', async () => {
    await expect(within(Promise.reject(new Error('gone')), 1_000)).rejects.toThrow('gone')
  })
})
