// Every "not now" answer of the edge (502, 503, 504) tells the client when to come back.

import { describe, expect, it } from 'vitest'
import { DEFAULT_RETRY_AFTER_S, errorResponse, forbidden, identityUnavailable, originUnreachable, rateLimited, unavailable, upstreamFailed } from './problems.ts'
import { ProblemError } from '../../wire/problem.ts'

describe('edge problems', () => {
  it('gives 502 upstream-unreachable and origin-unreachable a Retry-After', () => {
    const upstream = errorResponse(upstreamFailed(new Error('down')), 'req-1')
    expect(upstream.status).toBe(502)
    expect(upstream.headers.get('retry-after')).toBe(String(DEFAULT_RETRY_AFTER_S))
    expect(upstream.headers.get('content-type')).toBe('application/problem+json')
    const origin = errorResponse(originUnreachable(2, new Error('refused')), 'req-1')
    expect(origin.status).toBe(502)
    expect(origin.headers.get('retry-after')).toBe('2')
  })

  it('gives every 502, 503 and 504 a Retry-After, also when a stage builds the error itself', () => {
    for (const status of [502, 503, 504]) {
      const response = errorResponse(new ProblemError({ status, code: 'some-code', title: 'Not now' }))
      expect(Number(response.headers.get('retry-after')), String(status)).toBeGreaterThan(0)
    }
    expect(errorResponse(identityUnavailable()).headers.get('retry-after')).toBe(String(DEFAULT_RETRY_AFTER_S))
  })

  it("keeps a thrower's own Retry-After, whatever its case", () => {
    expect(errorResponse(unavailable('wake-timeout', 'Too slow', 2)).headers.get('retry-after')).toBe('2')
    expect(errorResponse(new ProblemError({
      status: 503, code: 'gate-unavailable', title: 'x',
      headers: { 'Retry-After': '7' },
    })).headers.get('retry-after')).toBe('7')
    expect(errorResponse(rateLimited(60)).headers.get('retry-after')).toBe('60')
  })

  it('adds no Retry-After to answers that are not about time', () => {
    expect(errorResponse(forbidden()).headers.get('retry-after')).toBeNull()
    expect(errorResponse(new ProblemError({ status: 500, code: 'internal', title: 'Oops' })).headers.get('retry-after')).toBeNull()
    expect(errorResponse(new ProblemError({ status: 404, code: 'unknown-agent', title: 'No' })).headers.get('retry-after')).toBeNull()
  })
})
