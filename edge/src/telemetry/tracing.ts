// The edge's spans, all on the kept OpenTelemetry packages, which run in workerd: @opentelemetry/sdk-trace's
// TracerProvider makes and ends spans, @opentelemetry/core parses and writes W3C `traceparent`, and
// @opentelemetry/exporter-trace-otlp-http (its fetch build, which wrangler bundles for workerd) sends them as OTLP/HTTP
// JSON. Not its BatchSpanProcessor: a Worker may only send within a request, and a batch timer outlives it. Finished
// spans wait in the isolate's queue instead, and each request sends what is queued with ctx.waitUntil (sendSpans).
// A caller's `traceparent` is used for continuity only: its trace id and parent span id are kept, its sampling flag
// and `tracestate` are not (the edge decides to sample), and it is never signed.

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Context, type Span, type Tracer } from '@opentelemetry/api'
import { ExportResultCode, parseTraceParent, W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { AlwaysOnSampler, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace'
import { tracesUrl, type TracingSettings } from '../../../wire/otel.ts'

export const TRACEPARENT = 'traceparent'
export const TRACESTATE = 'tracestate'
/** Spans kept for the next send at most: a collector that is down must not grow an isolate's memory. */
const MAX_QUEUED_SPANS = 2_048

interface EdgeTracing {
  tracer: Tracer
  exporter: SpanExporter
  queue: ReadableSpan[]
}

/** One per isolate and settings object (bindings do not change within an isolate). */
const byIsolate = new WeakMap<TracingSettings, EdgeTracing>()

/** Finished spans wait in the isolate's queue until the request that made them sends them (sendSpans). */
function queueExporter(queue: ReadableSpan[]): SpanExporter {
  return {
    export(spans, done) {
      queue.push(...spans)
      if (queue.length > MAX_QUEUED_SPANS) queue.splice(0, queue.length - MAX_QUEUED_SPANS)
      done({ code: ExportResultCode.SUCCESS })
    },
    async shutdown() {},
  }
}

function tracingFor(settings: TracingSettings | undefined): EdgeTracing | null {
  if (!settings?.endpoint) return null
  let tracing = byIsolate.get(settings)
  if (!tracing) {
    const queue: ReadableSpan[] = []
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
      sampler: new AlwaysOnSampler(),
      spanProcessors: [new SimpleSpanProcessor({ exporter: queueExporter(queue) })],
    })
    const exporter = new OTLPTraceExporter({ url: tracesUrl(settings.endpoint), headers: settings.headers })
    tracing = { tracer: provider.getTracer('myintell-edge'), exporter, queue }
    byIsolate.set(settings, tracing)
  }
  return tracing
}

/** A span of the edge, and how to start its children and hand its context on. */
export interface EdgeSpan {
  readonly span: Span
  /** The W3C traceparent of this span, for an outgoing request (set it on the request's headers). */
  traceparent(): string
  child(name: string, kind?: SpanKind): EdgeSpan
  /** Ends the span; a status of 500 or more, or `failed`, marks it as an error. */
  end(outcome?: { status?: number; failed?: boolean }): void
}

const propagator = new W3CTraceContextPropagator()

function edgeSpan(tracer: Tracer, span: Span): EdgeSpan {
  const context = trace.setSpan(ROOT_CONTEXT, span)
  return {
    span,
    traceparent() {
      const carrier: Record<string, string> = {}
      propagator.inject(context, carrier, { set: (c, k, v) => { c[k] = v } })
      return carrier[TRACEPARENT] ?? ''
    },
    child: (name, kind = SpanKind.INTERNAL) => edgeSpan(tracer, tracer.startSpan(name, { kind }, context)),
    end(outcome = {}) {
      if (outcome.status !== undefined) span.setAttribute('http.response.status_code', outcome.status)
      if (outcome.failed || (outcome.status ?? 0) >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      span.end()
    },
  }
}

/** Only the trace id and the parent span id of a traceparent: nothing else of a caller's is believed. */
function continued(traceparent: string | null | undefined): Context {
  const parsed = traceparent ? parseTraceParent(traceparent) : null
  if (!parsed) return ROOT_CONTEXT
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true })
}

/**
 * Starts a span that continues `traceparent` (a caller's, or the Worker's for its gate), or a new trace without one.
 * null when tracing is off: callers then do nothing.
 */
export function startSpan(settings: TracingSettings | undefined, name: string, kind: SpanKind, traceparent?: string | null): EdgeSpan | null {
  const tracing = tracingFor(settings)
  if (!tracing) return null
  return edgeSpan(tracing.tracer, tracing.tracer.startSpan(name, { kind }, continued(traceparent)))
}

/**
 * Sends every queued span of this isolate in one OTLP/HTTP JSON request. Never throws: a collector that is down
 * costs its spans, never a request. Give it to ctx.waitUntil.
 */
export function sendSpans(settings: TracingSettings | undefined): Promise<void> {
  const tracing = tracingFor(settings)
  if (!tracing || tracing.queue.length === 0) return Promise.resolve()
  const spans = tracing.queue.splice(0)
  return new Promise((resolve) => {
    try {
      tracing.exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) console.warn(`edge: ${spans.length} spans not exported: ${result.error?.message ?? 'the collector refused them'}`)
        resolve()
      })
    } catch (error) {
      console.warn(`edge: ${spans.length} spans not exported: ${(error as Error).message}`)
      resolve()
    }
  })
}
