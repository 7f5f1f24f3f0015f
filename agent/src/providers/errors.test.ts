// How model-call failures map onto the stable codes users and logs see (the end-to-end contract is
// test/agent/provider-errors.test.ts; this covers each branch, including ones the doubles do not produce).
import { APICallError } from '@ai-sdk/provider'
import { RetryError } from 'ai'
import { describe, expect, it } from 'vitest'
import { toProviderError } from './errors.ts'
import { ProviderError } from './types.ts'

const apiError = (statusCode: number | undefined, cause?: unknown) =>
  new APICallError({ message: `status ${statusCode}`, url: 'http://model.test', requestBodyValues: {}, ...(statusCode !== undefined ? { statusCode } : {}), ...(cause ? { cause } : {}) })

describe('toProviderError', () => {
  it('maps HTTP statuses', () => {
    const codes = [429, 529, 503, 500, 502, 401, 403, 400, 404, 422].map((s) => toProviderError(apiError(s), 'p').code)
    expect(codes).toEqual(['rate_limited', 'overloaded', 'overloaded', 'upstream_error', 'upstream_error', 'auth_error', 'auth_error', 'bad_request', 'bad_request', 'bad_request'])
  })

  it('treats a 200 whose stream broke off as a stream error, and no status as unreachable or a timeout', () => {
    expect(toProviderError(apiError(200), 'p').code).toBe('stream_error')
    expect(toProviderError(apiError(undefined, new TypeError('fetch failed')), 'p').code).toBe('upstream_error')
    expect(toProviderError(apiError(undefined, new DOMException('no answer', 'TimeoutError')), 'p').code).toBe('timeout')
  })

  it('reads the last error of a RetryError (what is left after the retries)', () => {
    const retried = new RetryError({ message: 'gave up', reason: 'maxRetriesExceeded', errors: [apiError(500), apiError(429)] })
    expect(toProviderError(retried, 'p').code).toBe('rate_limited')
  })

  it("maps a provider's own error event in the stream", () => {
    expect(toProviderError({ type: 'overloaded_error', message: 'Overloaded' }, 'anthropic').code).toBe('overloaded')
    const other = toProviderError({ type: 'server_error', message: 'The server had an error' }, 'openai')
    expect(other.code).toBe('stream_error')
    expect(other.message).toContain('server_error')
  })

  it('keeps a ProviderError as it is, and calls a timeout a timeout', () => {
    const own = new ProviderError('auth_error', 'no key')
    expect(toProviderError(own, 'p')).toBe(own)
    expect(toProviderError(new DOMException('Chunk timeout of 500ms exceeded', 'TimeoutError'), 'p').code).toBe('timeout')
    expect(toProviderError(new TypeError('terminated'), 'p').code).toBe('stream_error')
  })
})
