import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { parseConfig } from './config.ts'
import { DEFAULT_ORIGIN_TIMEOUT_MS, RATE_LIMIT_PERIOD_SECONDS } from './settings.ts'
import type { Env } from './env.ts'
import { DEFAULT_IDLE_TIMEOUT_MS } from '../../wire/idle-timeout.ts'
import { SettingsError } from '../../wire/settings.ts'

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
    expect(() => parseConfig({ ...base, RATE_LIMIT: 'sometimes' })).toThrow(/RATE_LIMIT: must be one of on, off/)
    expect(() => parseConfig({ ...base, RATE_LIMIT_PERIOD_SECONDS: '30', TENANT_RATE_LIMIT: limiter })).toThrow(/10 or 60/)
  })
})

describe('cluster-api timeout', () => {
  it('defaults to 30 s and takes a positive whole number of milliseconds only', () => {
    expect(parseConfig({ ...base, CLUSTER_API_TIMEOUT_MS: undefined }).clusterApiTimeoutMs).toBe(30_000)
    expect(parseConfig({ ...base, CLUSTER_API_TIMEOUT_MS: '750' }).clusterApiTimeoutMs).toBe(750)
    for (const bad of ['0', '-1', '1.5', 'soon']) {
      expect(() => parseConfig({ ...base, CLUSTER_API_TIMEOUT_MS: bad }), bad).toThrow(/CLUSTER_API_TIMEOUT_MS: must be an integer >= 1 \(ms\)/)
    }
  })
})

describe('forward path bounds', () => {
  it('waits 100 s for an origin to begin answering and keeps bodies up to 1 MiB by default', () => {
    const config = parseConfig({ ...base, ORIGIN_TIMEOUT_MS: undefined, REPLAY_BODY_MAX_BYTES: undefined })
    expect(config.originTimeoutMs).toBe(DEFAULT_ORIGIN_TIMEOUT_MS)
    expect(DEFAULT_ORIGIN_TIMEOUT_MS).toBe(100_000)
    expect(config.replayBodyMaxBytes).toBe(1_048_576)
  })

  it('takes 0 for "no bound" and "keep no body", and refuses what is not a whole number of ms or bytes', () => {
    expect(parseConfig({ ...base, ORIGIN_TIMEOUT_MS: '0', REPLAY_BODY_MAX_BYTES: '0' })).toMatchObject({ originTimeoutMs: 0, replayBodyMaxBytes: 0 })
    expect(() => parseConfig({ ...base, ORIGIN_TIMEOUT_MS: '-1' })).toThrow(/ORIGIN_TIMEOUT_MS/)
    expect(() => parseConfig({ ...base, REPLAY_BODY_MAX_BYTES: '1MiB' })).toThrow(/REPLAY_BODY_MAX_BYTES/)
  })
})

describe('gate idle time', () => {
  it('defaults to the platform\'s idle timeout and takes 0 for "never forget warm by itself"', () => {
    expect(parseConfig({ ...base, GATE_IDLE_MS: undefined }).gateIdleMs).toBe(DEFAULT_IDLE_TIMEOUT_MS)
    expect(parseConfig({ ...base, GATE_IDLE_MS: '0' }).gateIdleMs).toBe(0)
    expect(() => parseConfig({ ...base, GATE_IDLE_MS: '-5' })).toThrow(/GATE_IDLE_MS/)
  })
})

describe('bad configuration', () => {
  it('names every bad variable in one error and never shows the signing secret', () => {
    const error = (() => {
      try {
        parseConfig({ ...base, EDGE_SIGNING_SECRET: 'too-short-secret', WAKE_TIMEOUT_MS: 'soon', CLUSTER_API_URL: undefined })
      } catch (e) {
        return e as SettingsError
      }
      return null
    })()
    expect(error).toBeInstanceOf(SettingsError)
    expect(error?.issues.map((issue) => issue.split(':')[0])).toEqual(['CLUSTER_API_URL', 'EDGE_SIGNING_SECRET', 'WAKE_TIMEOUT_MS'])
    expect(error?.message).not.toContain('too-short-secret')
  })
})
