// OpenTelemetry tracing for the Node parts (cluster-api, agent runtime) on the kept SDK: @opentelemetry/sdk-trace's
// TracerProvider, OTLPTraceExporter (OTLP/HTTP JSON), the W3C trace-context propagator and the AsyncLocalStorage
// context manager. Off unless an endpoint is set; code everywhere asks @opentelemetry/api for a tracer, which is a
// no-op until startNodeTracing registered the provider, so nothing is exported and nothing fails without one.

import { context, propagation, trace, type Context, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { tracesUrl, type TracingSettings } from './otel.ts'

/** Spans wait at most this long before they are sent (the SDK's default is 5 s): a trace shows up while one looks. */
const EXPORT_DELAY_MS = 1_000

export interface NodeTracing {
  /** Sends the spans still queued, then stops; the process's spans end with it. */
  shutdown(): Promise<void>
}

const OFF: NodeTracing = { shutdown: async () => {} }

/**
 * Registers the process's tracer provider when `settings.endpoint` is set. Once per process: a second call (tests
 * start several servers in one process) keeps the first provider, whose spans then carry the first service name.
 */
export function startNodeTracing(settings: TracingSettings): NodeTracing {
  if (!settings.endpoint) return OFF
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ url: tracesUrl(settings.endpoint), headers: settings.headers }),
      scheduledDelayMillis: EXPORT_DELAY_MS,
    })],
  })
  if (!trace.setGlobalTracerProvider(provider)) {
    void provider.shutdown()
    return OFF
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  return { shutdown: () => provider.shutdown() }
}

const headerGetter = {
  keys: (headers: Headers) => [...headers.keys()],
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
}

/** The context a request's `traceparent` (W3C) continues; the active one when it has none or a malformed one. */
export function contextOf(headers: Headers): Context {
  return propagation.extract(context.active(), headers, headerGetter)
}

/** Sets `traceparent` (and `tracestate`) for the active span on outgoing headers. */
export function injectTraceContext(headers: Headers, from: Context = context.active()): void {
  propagation.inject(from, headers, { set: (carrier: Headers, key: string, value: string) => carrier.set(key, value) })
}

/**
 * Runs `work` inside a SERVER span that continues the request's `traceparent`; `name` is called after the work, when
 * the matched route is known (a pattern, never a path with ids). Nothing happens without a registered provider.
 */
export async function serverSpan<T>(tracer: Tracer, headers: Headers, work: (span: Span) => Promise<T>, name: () => string, status: () => number): Promise<T> {
  const span = tracer.startSpan('request', { kind: SpanKind.SERVER }, contextOf(headers))
  try {
    return await context.with(trace.setSpan(context.active(), span), () => work(span))
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR })
    throw error
  } finally {
    const code = status()
    span.updateName(name())
    span.setAttribute('http.response.status_code', code)
    if (code >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
    span.end()
  }
}

/** Runs `work` in a child span of the active one, ending it (and marking a throw) whatever happens. */
export async function inSpan<T>(tracer: Tracer, name: string, attributes: Record<string, string | number | boolean>, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span)
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message })
      throw error
    } finally {
      span.end()
    }
  })
}

/**
 * Spans a stream (an async generator such as a turn, or a model's token stream) from its first item to its end: each
 * step of the source runs with the span active, so spans the source starts are its children. `parent`: the context
 * the span continues (default the active one where this is called).
 */
export async function* inStreamSpan<T>(tracer: Tracer, name: string, attributes: Record<string, string | number | boolean>, source: AsyncIterable<T>, parent: Context = context.active()): AsyncGenerator<T> {
  const span = tracer.startSpan(name, { attributes }, parent)
  const active = trace.setSpan(parent, span)
  const iterator = source[Symbol.asyncIterator]()
  let done = false
  try {
    for (;;) {
      const step = await context.with(active, () => iterator.next())
      if (step.done) {
        done = true
        return
      }
      yield step.value
    }
  } catch (error) {
    done = true
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message })
    throw error
  } finally {
    // The consumer stopped early (a client that hung up): let the source clean up too.
    if (!done) await iterator.return?.()
    span.end()
  }
}
