// Parses a text/event-stream body into events (WHATWG rules: `event:`, `data:` lines, blank line ends an event).
// Used by the Anthropic and OpenAI-compatible providers; a silent stream past the idle timeout is a timeout error.
import { ProviderError } from './types.ts'

export interface SseEvent {
  event: string
  data: string
}

export async function* parseSse(body: ReadableStream<Uint8Array>, idleTimeoutMs: number, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let event = ''
  let data: string[] = []
  try {
    while (true) {
      const chunk = await readWithTimeout(reader, idleTimeoutMs, signal)
      if (chunk.done) break
      buffer += decoder.decode(chunk.value, { stream: true })
      let newline: number
      while ((newline = buffer.search(/\r\n|\n|\r/)) !== -1) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n') }
          event = ''
          data = []
          continue
        }
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon === -1 ? line : line.slice(0, colon)
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') event = value
        else if (field === 'data') data.push(value)
      }
    }
    if (data.length > 0) yield { event: event || 'message', data: data.join('\n') }
  } finally {
    reader.cancel().catch(() => {})
  }
}

async function readWithTimeout(
  reader: ReadableStreamDefaultReader<Uint8Array>, timeoutMs: number, signal?: AbortSignal,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderError('timeout', `the model sent nothing for ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    return await Promise.race([reader.read(), timeout])
  } catch (err) {
    if (err instanceof ProviderError) throw err
    if (signal?.aborted) throw err
    throw new ProviderError('stream_error', 'the connection to the model broke mid-reply')
  } finally {
    clearTimeout(timer)
  }
}
