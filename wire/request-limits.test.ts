import { describe, expect, it } from 'vitest'
import { ADDED_HEADER_ALLOWANCE_BYTES, EDGE_MAX_HEADER_BYTES, EDGE_MAX_TARGET_BYTES, ORIGIN_MAX_HEADER_BYTES } from './request-limits.ts'

describe('request head limits', () => {
  it('let the servers behind the edge accept the largest head the edge forwards', () => {
    // "PATCH " + target + " HTTP/1.1\r\n", then the client's fields, then what the edge and ingress add.
    const requestLine = 'PATCH '.length + EDGE_MAX_TARGET_BYTES + ' HTTP/1.1\r\n'.length
    expect(ORIGIN_MAX_HEADER_BYTES).toBeGreaterThanOrEqual(requestLine + EDGE_MAX_HEADER_BYTES + ADDED_HEADER_ALLOWANCE_BYTES)
  })
})
