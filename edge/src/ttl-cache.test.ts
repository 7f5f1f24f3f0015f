import { describe, expect, it } from 'vitest'
import { RefreshingCache, TtlCache } from './ttl-cache.ts'

describe('TtlCache', () => {
  it('serves a value while fresh, then as stale until it expires', () => {
    const cache = new TtlCache<string, number>(10)
    cache.set('a', 1, 100, 1_000, 400)
    expect(cache.lookup('a', 1_050)).toEqual({ value: 1, stale: false })
    expect(cache.get('a', 1_050)).toBe(1)
    expect(cache.lookup('a', 1_100)).toEqual({ value: 1, stale: true })
    expect(cache.get('a', 1_100)).toBeUndefined()
    expect(cache.lookup('a', 1_499)).toEqual({ value: 1, stale: true })
    expect(cache.lookup('a', 1_500)).toBeUndefined()
  })

  it('drops the oldest entry past its size bound', () => {
    const cache = new TtlCache<string, number>(2)
    cache.set('a', 1, 1_000)
    cache.set('b', 2, 1_000)
    cache.set('c', 3, 1_000)
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3])
  })
})

describe('RefreshingCache', () => {
  const freshness = { freshMs: () => 100, maxAgeMs: () => 500 }
  const noBackground = () => {
    throw new Error('no background refresh expected')
  }

  it('loads a missing value while the caller waits, once for concurrent callers', async () => {
    const cache = new RefreshingCache<string, string>('test value', 10, freshness)
    let loads = 0
    const load = async () => `v${++loads}`
    expect(await Promise.all([cache.get('k', load, noBackground), cache.get('k', load, noBackground)])).toEqual(['v1', 'v1'])
    expect(await cache.get('k', load, noBackground)).toBe('v1')
    expect(loads).toBe(1)
  })

  it('answers a stale value at once and replaces it with one background load', async () => {
    const cache = new RefreshingCache<string, string>('test value', 10, freshness)
    let loads = 0
    const load = async () => `v${++loads}`
    await cache.get('k', load, noBackground)
    const refreshes: Promise<unknown>[] = []
    const stale = Date.now() + 150
    const answers = await Promise.all([cache.get('k', load, (p) => refreshes.push(p), stale), cache.get('k', load, (p) => refreshes.push(p), stale)])
    expect(answers).toEqual(['v1', 'v1'])
    await Promise.all(refreshes)
    expect(loads).toBe(2)
    expect(await cache.get('k', load, noBackground)).toBe('v2')
  })

  it('keeps the stale value when the background load fails, and waits for a load once it expired', async () => {
    const cache = new RefreshingCache<string, string>('test value', 10, freshness)
    await cache.get('k', async () => 'v1', noBackground)
    const refreshes: Promise<unknown>[] = []
    const failing = async (): Promise<string> => {
      throw new Error('upstream down')
    }
    expect(await cache.get('k', failing, (p) => refreshes.push(p), Date.now() + 150)).toBe('v1')
    await Promise.all(refreshes)
    expect(await cache.get('k', failing, (p) => refreshes.push(p), Date.now() + 200)).toBe('v1')
    await expect(cache.get('k', failing, noBackground, Date.now() + 1_000)).rejects.toThrow('upstream down')
  })

  it('gives up a shared load that never settles, and the next caller starts another', async () => {
    const cache = new RefreshingCache<string, string>('test value', 10, { ...freshness, giveUpMs: 50 })
    const hung = cache.get('k', () => new Promise<string>(() => undefined), noBackground)
    await expect(hung).rejects.toThrow('test value: the lookup did not finish within 50 ms')
    expect(await cache.get('k', async () => 'v2', noBackground)).toBe('v2')
  })

  it('serves a stale value even when the request can no longer extend itself', async () => {
    const cache = new RefreshingCache<string, string>('test value', 10, freshness)
    await cache.get('k', async () => 'v1', noBackground)
    const gone = () => {
      throw new Error('no execution context')
    }
    expect(await cache.get('k', async () => 'v2', gone, Date.now() + 150)).toBe('v1')
  })

  it('lets only the newest load write: an abandoned one that answers late does not overwrite its successor', async () => {
    const cache = new RefreshingCache<string, string>('test value', 10, { ...freshness, giveUpMs: 50 })
    let answerLate!: (value: string) => void
    const first = cache.get('k', () => new Promise<string>((resolve) => { answerLate = resolve }), noBackground)
    await expect(first).rejects.toThrow(/did not finish/)
    expect(await cache.get('k', async () => 'new', noBackground)).toBe('new')
    answerLate('old')
    await scheduler.wait(1)
    expect(await cache.get('k', async () => 'unused', noBackground)).toBe('new')
  })
})
