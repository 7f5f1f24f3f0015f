import { describe, expect, it } from 'vitest'
import { localDriverOptionsFromEnv } from './env.ts'

describe('local driver environment', () => {
  it('reads the documented variables', () => {
    expect(localDriverOptionsFromEnv({
      MYINTELL_IDLE_TIMEOUT_MS: '0', MYINTELL_WARM_POOL_SIZE: '3', MYINTELL_INGRESS_PORT: '8788', MYINTELL_INGRESS_HOST: '0.0.0.0',
    })).toEqual({ idleTimeoutMs: 0, warmPoolSize: 3, ingressPort: 8788, ingressHost: '0.0.0.0' })
  })

  it('leaves unset variables to the defaults', () => {
    expect(localDriverOptionsFromEnv({})).toEqual({})
  })

  it('fails fast on a value that is not a non-negative integer', () => {
    expect(() => localDriverOptionsFromEnv({ MYINTELL_WARM_POOL_SIZE: 'two' })).toThrow(/MYINTELL_WARM_POOL_SIZE/)
    expect(() => localDriverOptionsFromEnv({ MYINTELL_IDLE_TIMEOUT_MS: '-1' })).toThrow(/MYINTELL_IDLE_TIMEOUT_MS/)
  })
})
