// The edge's spans inside workerd: off without an endpoint; a caller's traceparent gives only the trace id and the
// parent (its "not sampled" flag does not switch the edge's tracing off); a malformed one starts a new trace; a
// collector that cannot be reached costs the spans, never an error.

import { SpanKind } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import type { TracingSettings } from '../../../wire/otel.ts'
import { sendSpans, startSpan } from './tracing.ts'

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/
/** Nothing listens on the discard port: every send fails. */
const unreachable: TracingSettings = { endpoint: 'http://127.0.0.1:9', serviceName: 'edge-unit', headers: {} }

describe('edge tracing', () => {
  it('is off without an endpoint', () => {
    expect(startSpan({ endpoint: undefined, serviceName: 'edge-unit', headers: {} }, 'request', SpanKind.SERVER)).toBeNull()
    expect(startSpan(undefined, 'request', SpanKind.SERVER)).toBeNull()
  })

  it('continues a caller\'s trace id and parent, and samples whatever the caller\'s flag says', () => {
    const traceId = 'ab'.repeat(16)
    const callerSpan = 'cd'.repeat(8)
    const span = startSpan(unreachable, 'request', SpanKind.SERVER, `00-${traceId}-${callerSpan}-00`)!
    const [, sentTrace, sentSpan] = TRACEPARENT.exec(span.traceparent())!
    expect(sentTrace).toBe(traceId)
    expect(sentSpan).not.toBe(callerSpan)
    expect(span.span.isRecording()).toBe(true)
    const child = span.child('origin call', SpanKind.CLIENT)
    const [, childTrace, childSpan] = TRACEPARENT.exec(child.traceparent())!
    expect(childTrace).toBe(traceId)
    expect(childSpan).not.toBe(sentSpan)
    child.end({ status: 200 })
    span.end({ status: 200 })
  })

  it('starts a new trace for a malformed traceparent', () => {
    for (const bad of ['junk', `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`, `00-${'a'.repeat(31)}-${'1'.repeat(16)}-01`]) {
      const span = startSpan(unreachable, 'request', SpanKind.SERVER, bad)!
      const [, traceId] = TRACEPARENT.exec(span.traceparent())!
      expect(traceId).not.toBe('0'.repeat(32))
      expect(bad).not.toContain(traceId)
      span.end()
    }
  })

  it('drops its spans without failing when the collector cannot be reached', async () => {
    startSpan(unreachable, 'request', SpanKind.SERVER)!.end()
    await expect(sendSpans(unreachable)).resolves.toBeUndefined()
  })
})
