// Counts the bytes of a response body as it streams through (no buffering: each chunk is passed on as it
// arrives) and reports when the body ends, so an open SSE stream counts as activity until it closes.

export function meterBody(body: ReadableStream<Uint8Array>, onEnd: (bytes: number) => void): ReadableStream<Uint8Array> {
  let bytes = 0
  let ended = false
  const end = () => {
    if (!ended) {
      ended = true
      onEnd(bytes)
    }
  }
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      bytes += chunk.byteLength
      controller.enqueue(chunk)
    },
    flush: end,
  })
  body.pipeTo(counter.writable).catch(end)
  return counter.readable
}
