// takeBody inside workerd: what is kept (and bound by digest), what streams, and that a streamed body goes once.
import { describe, expect, it } from 'vitest'
import { nodeBodyDigest } from '../../../wire/node-hmac.ts'
import { bindingOf, canResend, payloadOf, takeBody } from './request-body.ts'

const encoder = new TextEncoder()
function chunked(...parts: string[]): ReadableStream<Uint8Array> {
  const queue = parts.map((p) => encoder.encode(p))
  return new ReadableStream({ pull: (c) => (queue.length ? c.enqueue(queue.shift()!) : c.close()) })
}
const text = async (body: BodyInit | null) => new Response(body).text()

describe('takeBody', () => {
  it('keeps a body within the bound, read as it arrives, bound by the digest of its bytes', async () => {
    const body = await takeBody(chunked('hello ', 'world'), undefined, 11)
    expect(body.kind).toBe('kept')
    expect(bindingOf(body)).toEqual({ kind: 'digest', digest: nodeBodyDigest(encoder.encode('hello world')) })
    expect(canResend(body)).toBe(true)
    expect(await text(payloadOf(body))).toBe('hello world')
    expect(await text(payloadOf(body))).toBe('hello world') // every attempt carries it
  })

  it('streams a body whose Content-Length is over the bound without reading it', async () => {
    const stream = chunked('x'.repeat(20))
    const body = await takeBody(stream, '20', 10)
    expect(body).toEqual({ kind: 'streamed', stream })
    expect(bindingOf(body)).toEqual({ kind: 'stream' })
  })

  it('streams a chunked body that grows past the bound, the chunks already read first', async () => {
    const body = await takeBody(chunked('aaaa', 'bbbb', 'cccc', 'dddd'), undefined, 6)
    expect(body.kind).toBe('streamed')
    expect(canResend(body)).toBe(false)
    expect(await text(payloadOf(body))).toBe('aaaabbbbccccdddd')
    expect(() => payloadOf(body)).toThrow(/only once/)
  })

  it('has no body to bind for a request without one, and streams every body with a bound of 0', async () => {
    expect(bindingOf(await takeBody(null, undefined, 100))).toEqual({ kind: 'none' })
    expect((await takeBody(chunked('a'), '1', 0)).kind).toBe('streamed')
  })
})
