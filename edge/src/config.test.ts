import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { parseConfig, RATE_LIMIT_PERIOD_SECONDS } from './config.ts'
import type { Env } from './env.ts'

const base = env as unknown as Env
const limiter = base.TENANT_RATE_LIMIT!

describe('rate limit configuration', () => {
  it('is on with the binding, for the documented default window', () => {
    const config = parseConfig({ ...base, RATE_LIMIT: undefined, RATE_LIMIT_PERIOD_SECONDS: undefined, TENANT_RATE_LIMIT: limiter })
    // That the default equals wrangler.toml's period is checked where the file can be read (test/edge, wrangler.toml).
    expect(config.rateLimit).toEqual({ periodSeconds: RATE_LIMIT_PERIOD_SECONDS })
  })

  it('turns off with RATE_LIMIT=off, and is off for a Worker without the binding', () => {
    expect(parseConfig({ ...base, RATE_LIMIT: 'off', TENANT_RATE_LIMIT: limiter }).rateLimit).toBeNull()
    expect(parseConfig({ ...base, RATE_LIMIT: undefined, TENANT_RATE_LIMIT: undefined }).rateLimit).toBeNull()
  })

  it('fails fast when switched on without the binding, or with a window the binding cannot have', () => {
    expect(() => parseConfig({ ...base, RATE_LIMIT: 'on', TENANT_RATE_LIMIT: undefined })).toThrow(/TENANT_RATE_LIMIT binding/)
    expect(() => parseConfig({ ...base, RATE_LIMIT: 'sometimes' })).toThrow(/RATE_LIMIT must be "on" or "off"/)
    expect(() => parseConfig({ ...base, RATE_LIMIT_PERIOD_SECONDS: '30', TENANT_RATE_LIMIT: limiter })).toThrow(/10 or 60/)
  })
})

describe('cluster-api timeout', () => {
  it('defaults to 30 s and takes a positive whole number of milliseconds only', () => {
    expect(parseConfig({ ...base, CLUSTER_API_TIMEOUT_MS: undefined }).clusterApiTimeoutMs).toBe(30_000)
    expect(parseConfig({ ...base, CLUSTER_API_TIMEOUT_MS: '750' }).clusterApiTimeoutMs).toBe(750)
    for (const bad of ['0', '-1', '1.5', 'soon']) {
      expect(() => parseConfig({ ...base, CLUSTER_API_TIMEOUT_MS: bad }), bad).toThrow(/CLUSTER_API_TIMEOUT_MS must be an integer >= 1/)
    }
  })
})
