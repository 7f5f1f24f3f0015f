// OpenTelemetry's own environment variables, declared once for every part's settings schema: traces are off unless
// OTEL_EXPORTER_OTLP_ENDPOINT is set, then exported over OTLP/HTTP JSON to `<endpoint>/v1/traces`.

import { custom, text, url } from './settings.ts'

/** `key=value,key2=value2` as the OpenTelemetry specification writes it; values may be percent-encoded. */
export function parseOtlpHeaders(raw: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue
    const at = part.indexOf('=')
    if (at <= 0) throw new Error('must be key=value pairs separated by commas')
    const key = part.slice(0, at).trim()
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) throw new Error('has a header name that is not a token')
    headers[key.toLowerCase()] = decodeURIComponent(part.slice(at + 1).trim())
  }
  return headers
}

/** The inverse of parseOtlpHeaders: to hand the same headers on to another part's environment. */
export function formatOtlpHeaders(headers: Record<string, string>): string {
  return Object.entries(headers).map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join(',')
}

/** The three settings every part declares; `serviceName` is that part's default OTEL_SERVICE_NAME. */
export function otelSettings(serviceName: string) {
  return {
    otlpEndpoint: url('OTEL_EXPORTER_OTLP_ENDPOINT', { doc: 'an OTLP/HTTP collector; traces go to <endpoint>/v1/traces as JSON; unset: no traces' }),
    otelServiceName: text('OTEL_SERVICE_NAME', { default: serviceName, doc: 'the service.name of this part\'s spans' }),
    otlpHeaders: custom('OTEL_EXPORTER_OTLP_HEADERS', {
      parse: parseOtlpHeaders, doc: 'headers sent with every export (`key=value,…`, e.g. a collector\'s API key)',
    }),
  }
}

/** What a part's tracing needs from its settings; endpoint undefined: tracing off. */
export interface TracingSettings {
  endpoint: string | undefined
  serviceName: string
  headers: Record<string, string>
}

/** `<endpoint>/v1/traces`, the signal path the specification appends to the generic endpoint. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`
}
