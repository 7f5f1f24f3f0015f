import { describe, expect, it } from 'vitest'
import { PROBLEM_TYPE_BASE, ProblemError, withDefaultRetryAfter } from './problem.ts'

describe('ProblemError', () => {
  it('carries the RFC 9457 members, our code, headers and extension members, from one options object', () => {
    const cause = new Error('socket hang up')
    const error = new ProblemError({
      status: 403, code: 'insufficient-scope', title: 'This API key lacks the "chat" scope', detail: 'Talking needs chat',
      headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' }, extensions: { requiredScope: 'chat' }, cause,
    })
    expect(error).toBeInstanceOf(Error)
    expect(error.cause).toBe(cause)
    expect(error.headers).toEqual({ 'www-authenticate': 'Bearer error="insufficient_scope"' })
    expect(error.toProblem({ instance: '/v1/chat', extensions: { requestId: 'r-1' } })).toEqual({
      type: `${PROBLEM_TYPE_BASE}insufficient-scope`, title: 'This API key lacks the "chat" scope', status: 403, code: 'insufficient-scope',
      detail: 'Talking needs chat', instance: '/v1/chat', requiredScope: 'chat', requestId: 'r-1',
    })
  })

  it('leaves out what was not given, and never puts the cause in the document', () => {
    const body = new ProblemError({ status: 404, code: 'not-found', title: 'No such thing', cause: new Error('db said no') }).toProblem()
    expect(body).toEqual({ type: `${PROBLEM_TYPE_BASE}not-found`, title: 'No such thing', status: 404, code: 'not-found' })
    expect(JSON.stringify(body)).not.toContain('db said no')
  })

  it('takes a type of its own', () => {
    expect(new ProblemError({ status: 400, code: 'x', title: 'X', type: 'about:blank' }).toProblem().type).toBe('about:blank')
  })
})

describe('withDefaultRetryAfter', () => {
  it('adds Retry-After to a 502, 503 or 504 without one, and keeps the thrower\'s own whatever its case', () => {
    for (const status of [502, 503, 504]) expect(withDefaultRetryAfter(status, {}, 5)).toEqual({ 'retry-after': '5' })
    expect(withDefaultRetryAfter(503, { 'Retry-After': '2' }, 5)).toEqual({ 'Retry-After': '2' })
    expect(withDefaultRetryAfter(500, {}, 5)).toEqual({})
    expect(withDefaultRetryAfter(429, { 'retry-after': '60' }, 5)).toEqual({ 'retry-after': '60' })
  })
})
