// Starts a streaming POST to a provider with a first-byte timeout, mapping HTTP and network failures to ProviderErrors.
import { providerErrorFrom } from './http-errors.ts'
import { ProviderError } from './types.ts'

export async function postForStream(
  provider: string, url: string, headers: Record<string, string>, body: unknown, timeoutMs: number, signal?: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(), timeoutMs)
  const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal
  let res: Response
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers }, body: JSON.stringify(body), signal: combined })
  } catch (err) {
    if (signal?.aborted) throw err
    if (timeout.signal.aborted) throw new ProviderError('timeout', `${provider} did not answer within ${timeoutMs} ms`, { retryable: true })
    throw new ProviderError('upstream_error', `${provider} could not be reached`, { retryable: true })
  } finally {
    clearTimeout(timer)
  }
  if (!res.ok) throw await providerErrorFrom(res, provider)
  if (!res.body) throw new ProviderError('stream_error', `${provider} answered without a body`)
  return res.body
}
