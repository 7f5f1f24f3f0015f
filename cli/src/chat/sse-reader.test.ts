import { describe, expect, it } from 'vitest'
import { readSse, type SseFrame } from './sse-reader.ts'

async function frames(chunks: string[]): Promise<SseFrame[]> {
  const out: SseFrame[] = []
  for await (const frame of readSse((async function* () { yield* chunks.map((c) => Buffer.from(c)) })())) out.push(frame)
  return out
}

describe('readSse', () => {
  it('reassembles frames split across chunks, even inside a line', async () => {
    expect(await frames(['event: del', 'ta\ndata: {"te', 'xt":"a"}\n', '\nevent: done\r\ndata: {}\r\n\r\n'])).toEqual([
      { event: 'delta', data: '{"text":"a"}' },
      { event: 'done', data: '{}' },
    ])
  })

  it('joins multi-line data and skips comments and frames without data', async () => {
    expect(await frames([': keep-alive\n\nevent: x\n\ndata: one\ndata: two\n\n'])).toEqual([{ event: 'message', data: 'one\ntwo' }])
  })

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = Buffer.from('data: é\n\n')
    const out: SseFrame[] = []
    for await (const frame of readSse((async function* () { yield bytes.subarray(0, 7); yield bytes.subarray(7) })())) out.push(frame)
    expect(out).toEqual([{ event: 'message', data: 'é' }])
  })
})
