// Splits a text/event-stream body into frames as bytes arrive, with the shared parser in wire/sse.ts.
// An unterminated last frame (no blank line before the end) is not an event and is dropped.

import { createSseParser, type SseEvent } from '../../../wire/sse.ts'

export type SseFrame = SseEvent

export async function* readSse(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseFrame> {
  const decoder = new TextDecoder()
  const ready: SseFrame[] = []
  const parser = createSseParser((frame) => ready.push(frame))
  for await (const chunk of body) {
    parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    yield* ready.splice(0)
  }
}
