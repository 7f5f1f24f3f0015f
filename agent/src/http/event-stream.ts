// Runs an event source to completion and streams what it yields as Server-Sent Events.
// The source always runs to the end (so the reply is stored) even if the client goes away; it is aborted then, not abandoned.

export interface SseFrame {
  event?: string
  data: string
}

const encoder = new TextEncoder()

export function formatSse(frame: SseFrame): string {
  const lines = frame.data.split('\n').map((l) => `data: ${l}`).join('\n')
  return `${frame.event ? `event: ${frame.event}\n` : ''}${lines}\n\n`
}

/**
 * Streams `frames(signal)` as text/event-stream. `onEnd` runs once the source is finished (the in-flight mark).
 * A client disconnect aborts `signal`; the source still runs to its end, so partial replies are stored.
 */
export function sseResponse(frames: (signal: AbortSignal) => AsyncIterable<SseFrame>, onEnd: () => void, headers: Record<string, string> = {}): Response {
  const abort = new AbortController()
  let open = true
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      void (async () => {
        try {
          for await (const frame of frames(abort.signal)) {
            if (open) controller.enqueue(encoder.encode(formatSse(frame)))
          }
        } catch {
          // The source reports its own failures as frames; anything thrown here is a bug already logged upstream.
        } finally {
          onEnd()
          if (open) {
            open = false
            controller.close()
          }
        }
      })()
    },
    cancel() {
      open = false
      abort.abort(new Error('client disconnected'))
    },
  })
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', ...headers },
  })
}
