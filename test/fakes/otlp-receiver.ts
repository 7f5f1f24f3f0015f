// A double of an OpenTelemetry collector's OTLP/HTTP receiver: POST /v1/traces with an ExportTraceServiceRequest in
// OTLP's JSON encoding (what @opentelemetry/exporter-trace-otlp-http and the edge's exporter send), answered as a
// collector answers (200 with an ExportTraceServiceResponse; 400 for a body that is not one; 415 for protobuf, which
// no part of ours sends). Keeps every span it received, flattened, for tests to read.

import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedSpan {
  /** The resource's service.name. */
  service: string
  traceId: string
  spanId: string
  /** '' for a root span. */
  parentSpanId: string
  name: string
  /** OTLP's SpanKind number: 1 internal, 2 server, 3 client. */
  kind: number
  attributes: Record<string, unknown>
  startNs: bigint
  endNs: bigint
}

export interface OtlpReceiver {
  /** The endpoint to set as OTEL_EXPORTER_OTLP_ENDPOINT (the exporters append /v1/traces). */
  url: string
  spans: ReceivedSpan[]
  /** Every export request's headers, in order. */
  requests: Array<{ headers: IncomingMessage['headers']; spanCount: number }>
  close(): Promise<void>
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
type KeyValue = { key: string; value: AnyValue }

function valueOf(value: AnyValue | undefined): unknown {
  if (!value) return undefined
  if (value.stringValue !== undefined) return value.stringValue
  if (value.intValue !== undefined) return Number(value.intValue)
  if (value.boolValue !== undefined) return value.boolValue
  return value.doubleValue
}

const attributesOf = (list: KeyValue[] | undefined) => Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]))

/** OTLP JSON writes ids as hex (the specification's exception to proto3 JSON's base64). */
const HEX_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/

function flatten(body: unknown): ReceivedSpan[] {
  const resourceSpans = (body as { resourceSpans?: unknown }).resourceSpans
  if (!Array.isArray(resourceSpans)) throw new Error('no resourceSpans')
  const spans: ReceivedSpan[] = []
  for (const rs of resourceSpans as Array<{ resource?: { attributes?: KeyValue[] }; scopeSpans?: Array<{ spans?: unknown[] }> }>) {
    const service = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '')
    for (const scope of rs.scopeSpans ?? []) {
      for (const raw of scope.spans ?? []) {
        const span = raw as { traceId: string; spanId: string; parentSpanId?: string; name: string; kind?: number; attributes?: KeyValue[]; startTimeUnixNano: string; endTimeUnixNano: string }
        if (!HEX_ID.test(span.traceId) || !HEX_ID.test(span.spanId)) throw new Error('a span id is not hex')
        spans.push({
          service, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: span.name,
          kind: span.kind ?? 0, attributes: attributesOf(span.attributes),
          startNs: BigInt(span.startTimeUnixNano), endNs: BigInt(span.endTimeUnixNano),
        })
      }
    }
  }
  return spans
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const requests: OtlpReceiver['requests'] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (req.method !== 'POST' || req.url !== '/v1/traces') return answer(404, { code: 5, message: 'not found' })
      const type = req.headers['content-type'] ?? ''
      if (!type.startsWith('application/json')) return answer(415, { code: 3, message: `unsupported content type ${type}` })
      let received: ReceivedSpan[]
      try {
        received = flatten(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch (error) {
        return answer(400, { code: 3, message: (error as Error).message })
      }
      spans.push(...received)
      requests.push({ headers: req.headers, spanCount: received.length })
      answer(200, { partialSuccess: {} })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
