// Parses a provider's text/event-stream body into events with the shared parser (wire/sse.ts).
// Used by the Anthropic and OpenAI-compatible providers; a silent stream past the idle timeout is a timeout error.
import { createSseParser, type SseEvent } from '../../../wire/sse.ts'
import { ProviderError } from './types.ts'

export type { SseEvent } from '../../../wire/sse.ts'

export async function* parseSse(body: ReadableStream<Uint8Array>, idleTimeoutMs: number, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const ready: SseEvent[] = []
  const parser = createSseParser((event) => ready.push(event))
  try {
    while (true) {
      const chunk = await readWithTimeout(reader, idleTimeoutMs, signal)
      if (chunk.done) break
      parser.push(decoder.decode(chunk.value, { stream: true }))
      yield* ready.splice(0)
    }
    // A provider that ends without the final blank line still meant its last event.
    parser.end()
    yield* ready.splice(0)
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
