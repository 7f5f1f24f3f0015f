import { describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { parseConfig } from '../config.ts'
import type { Env } from '../env.ts'
import { formatAccessLog } from './access-log.ts'

const entry = { method: 'POST', host: 'demo.localhost:8787', path: '/v1/chat', status: 200, ms: 812, coldStartMs: 799, requestId: 'r-12345678' }

describe('access log', () => {
  it('writes one readable line with the cold start when there was one', () => {
    expect(formatAccessLog(entry, 'pretty')).toBe('POST demo.localhost:8787/v1/chat 200 812ms (cold start 799ms)')
    expect(formatAccessLog({ ...entry, coldStartMs: null }, 'pretty')).toBe('POST demo.localhost:8787/v1/chat 200 812ms')
  })

  it('writes JSON for production log pipelines', () => {
    expect(JSON.parse(formatAccessLog(entry, 'json'))).toEqual({ msg: 'request', ...entry })
  })

  it('is off unless configured, and refuses a format it does not know', () => {
    const base = env as unknown as Env
    expect(parseConfig({ ...base, ACCESS_LOG: undefined }).accessLog).toBe('off')
    expect(parseConfig({ ...base, ACCESS_LOG: 'pretty' }).accessLog).toBe('pretty')
    expect(() => parseConfig({ ...base, ACCESS_LOG: 'verbose' })).toThrow(/ACCESS_LOG: must be one of pretty, json, off, got "verbose"/)
  })
})
