// The Node parts' tracing against the OTLP receiver double: off without an endpoint (no span records, nothing is
// sent, nothing fails); with one, spans continue a request's traceparent and reach the collector as OTLP JSON with
// the configured service name and headers. The provider is registered once per process: the "off" case runs first.

import { trace } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOtlpReceiver, type OtlpReceiver } from '../test/fakes/otlp-receiver.ts'
import { injectTraceContext, inSpan, inStreamSpan, serverSpan, startNodeTracing } from './node-tracing.ts'
import { parseOtlpHeaders } from './otel.ts'

let otlp: OtlpReceiver
beforeAll(async () => {
  otlp = await startOtlpReceiver()
})
afterAll(() => otlp.close())

const tracer = trace.getTracer('unit')

describe('Node tracing', () => {
  it('is off without an endpoint: spans do not record, no traceparent is sent on, nothing is exported', async () => {
    const tracing = startNodeTracing({ endpoint: undefined, serviceName: 'unit-off', headers: {} })
    const outgoing = new Headers()
    const answer = await serverSpan(tracer, new Headers({ traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` }), async (span) => {
      expect(span.isRecording()).toBe(false)
      injectTraceContext(outgoing)
      return inSpan(tracer, 'child', {}, async (child) => child.isRecording())
    }, () => 'GET /', () => 200)
    expect(answer).toBe(false)
    expect(outgoing.get('traceparent')).toBeNull()
    await tracing.shutdown()
    expect(otlp.requests).toEqual([])
  })

  it('exports to <endpoint>/v1/traces with the service name and headers, continuing the request\'s traceparent', async () => {
    const traceId = 'c'.repeat(32)
    const parent = 'd'.repeat(16)
    const tracing = startNodeTracing({ endpoint: `${otlp.url}/`, serviceName: 'unit-on', headers: parseOtlpHeaders('x-collector-key=a%20b') })
    const outgoing = new Headers()
    async function* tokens() {
      yield 'one'
      throw new Error('the stream broke')
    }
    await serverSpan(tracer, new Headers({ traceparent: `00-${traceId}-${parent}-01` }), async () => {
      injectTraceContext(outgoing)
      await inSpan(tracer, 'work', { step: 1 }, async () => {
        const seen: string[] = []
        await expect((async () => {
          for await (const token of inStreamSpan(tracer, 'stream', {}, tokens())) seen.push(token)
        })()).rejects.toThrow('the stream broke')
        expect(seen).toEqual(['one'])
      })
    }, () => 'POST /v1/things', () => 503)
    await tracing.shutdown()

    const spans = otlp.spans.filter((s) => s.traceId === traceId)
    const byName = new Map(spans.map((s) => [s.name, s]))
    expect([...byName.keys()].sort()).toEqual(['POST /v1/things', 'stream', 'work'])
    const request = byName.get('POST /v1/things')!
    expect(request).toMatchObject({ service: 'unit-on', parentSpanId: parent, kind: 2 })
    expect(request.attributes['http.response.status_code']).toBe(503)
    expect(byName.get('work')!.parentSpanId).toBe(request.spanId)
    expect(byName.get('stream')!.parentSpanId).toBe(byName.get('work')!.spanId)
    expect(outgoing.get('traceparent')).toBe(`00-${traceId}-${request.spanId}-01`)
    expect(otlp.requests.every((r) => r.headers['x-collector-key'] === 'a b' && r.headers['content-type'] === 'application/json')).toBe(true)
  })

  it('refuses OTLP headers that are not key=value pairs', () => {
    expect(parseOtlpHeaders('a=1, b = two%2C ,')).toEqual({ a: '1', b: 'two,' })
    expect(() => parseOtlpHeaders('novalue')).toThrow('key=value')
    expect(() => parseOtlpHeaders('bad key=1')).toThrow('token')
  })
})
