// A request's body as the edge forwards it. Up to the replay bound it is read whole first: the signature binds it by
// its digest (wire/signature.ts v2), and the bytes are kept, so a request that meets "no endpoints" after its body
// was sent (a stale warm mark) can be sent again through the gate. A larger body streams through unread, bound by the
// single-use nonce, and can be sent only once.

import { nodeBodyDigest } from '../../../wire/node-hmac.ts'
import { NO_BODY, STREAMED_BODY, type BodyBinding } from '../../../wire/signature.ts'

export type ForwardBody =
  | { kind: 'none' }
  | { kind: 'kept'; bytes: Uint8Array; binding: BodyBinding }
  | { kind: 'streamed'; stream: ReadableStream<Uint8Array> | null }

const NONE: ForwardBody = { kind: 'none' }

/** The client's body could not be read (it hung up, or sent a broken chunk). */
export class UnreadableBody extends Error {}

/**
 * Reads `body` whole when it is at most `maxBytes` (by its Content-Length, or as it arrives when it has none); a
 * larger one streams, chunks already read first. `maxBytes` 0 streams every body.
 */
export async function takeBody(body: ReadableStream<Uint8Array> | null, contentLength: string | undefined, maxBytes: number): Promise<ForwardBody> {
  if (body === null) return NONE
  const declared = contentLength === undefined ? null : Number(contentLength)
  if (maxBytes === 0 || (declared !== null && declared > maxBytes)) return { kind: 'streamed', stream: body }
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
      // Chunked and longer than the bound: what was read goes first, then the rest as it comes.
      if (size > maxBytes) {
        reader.releaseLock()
        return { kind: 'streamed', stream: prepend(chunks, body) }
      }
    }
  } catch (error) {
    throw new UnreadableBody('the request body could not be read', { cause: error })
  }
  const bytes = concat(chunks, size)
  return { kind: 'kept', bytes, binding: { kind: 'digest', digest: nodeBodyDigest(bytes) } }
}

export function bindingOf(body: ForwardBody): BodyBinding {
  return body.kind === 'none' ? NO_BODY : body.kind === 'kept' ? body.binding : STREAMED_BODY
}

/** What one attempt sends: the kept bytes every time; a stream only the first time (later attempts must not be made). */
export function payloadOf(body: ForwardBody): BodyInit | null {
  if (body.kind === 'none') return null
  if (body.kind === 'kept') return body.bytes
  const stream = body.stream
  if (!stream) throw new Error('a streamed request body can be sent only once')
  body.stream = null
  return stream
}

/** Whether another attempt can carry the same body. */
export function canResend(body: ForwardBody): boolean {
  return body.kind !== 'streamed'
}

/** The body's size when the edge knows it (the bytes it read, or the client's Content-Length). */
export function sizeOf(body: ForwardBody, contentLength: string | undefined): number {
  return body.kind === 'kept' ? body.bytes.byteLength : Number(contentLength ?? 0) || 0
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

function prepend(head: Uint8Array[], rest: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = rest.getReader()
  let i = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i < head.length) return controller.enqueue(head[i++]!)
      const { done, value } = await reader.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
}
