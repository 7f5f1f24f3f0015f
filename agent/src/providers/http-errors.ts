// Maps a provider's HTTP error response to a ProviderError (retryable or not, with retry-after).
import { ProviderError } from './types.ts'

export function retryAfterMs(headers: Headers): number | null {
  const ms = headers.get('retry-after-ms')
  if (ms && Number.isFinite(Number(ms))) return Number(ms)
  const raw = headers.get('retry-after')
  if (!raw) return null
  const seconds = Number(raw)
  if (Number.isFinite(seconds)) return seconds * 1000
  const date = Date.parse(raw)
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now())
}

/** Reads at most a little of the error body: enough for a message, never the whole of a misbehaving response. */
async function errorMessage(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).slice(0, 2000)
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string }
    if (typeof body.error === 'object' && body.error?.message) return body.error.message
    if (typeof body.error === 'string') return body.error
    if (body.message) return body.message
  } catch { /* not JSON */ }
  return text.slice(0, 200) || res.statusText
}

export async function providerErrorFrom(res: Response, provider: string): Promise<ProviderError> {
  const message = `${provider} answered ${res.status}: ${await errorMessage(res)}`
  const after = retryAfterMs(res.headers)
  if (res.status === 429) return new ProviderError('rate_limited', message, { retryable: true, retryAfterMs: after })
  if (res.status === 529 || res.status === 503) return new ProviderError('overloaded', message, { retryable: true, retryAfterMs: after })
  if (res.status >= 500) return new ProviderError('upstream_error', message, { retryable: true, retryAfterMs: after })
  if (res.status === 401 || res.status === 403) return new ProviderError('auth_error', message)
  return new ProviderError('bad_request', message)
}
