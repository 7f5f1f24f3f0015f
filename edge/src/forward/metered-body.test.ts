import { describe, expect, it } from 'vitest'
import { meterBody } from './metered-body.ts'

describe('meterBody', () => {
  it('passes the first chunk on before the source has ended, and counts every byte', async () => {
    const encoder = new TextEncoder()
    let push!: ReadableStreamDefaultController<Uint8Array>
    const source = new ReadableStream<Uint8Array>({ start: (c) => { push = c } })
    let counted = -1
    const reader = meterBody(source, (bytes) => { counted = bytes }).getReader()
    push.enqueue(encoder.encode('data: first\n\n'))
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n')
    expect(counted).toBe(-1)
    push.enqueue(encoder.encode('data: last\n\n'))
    push.close()
    while (!(await reader.read()).done) { /* drain */ }
    expect(counted).toBe(25)
  })
})
