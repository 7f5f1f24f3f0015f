// The dashboard's SSE parser reads the superfriend's chat stream from a fetch body, in whatever pieces it arrives.
import { describe, expect, it } from 'vitest'
import { createSseParser, type SseEvent } from './sse.ts'
import { formatSse } from '../agent/src/http/event-stream.ts'

function parse(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((e) => events.push(e))
  for (const chunk of chunks) parser.push(chunk)
  parser.end()
  return events
}

describe('SSE parser', () => {
  it('reads the frames the agent runtime writes, event name and data', () => {
    const text = formatSse({ event: 'start', data: '{"conversationId":"c1"}' }) + formatSse({ event: 'delta', data: '{"text":"hi"}' })
    expect(parse([text])).toEqual([
      { event: 'start', data: '{"conversationId":"c1"}' },
      { event: 'delta', data: '{"text":"hi"}' },
    ])
  })

  it('gives the same events however the stream is cut, even one character at a time and inside \\r\\n', () => {
    const text = 'event: delta\r\ndata: {"text":"a"}\r\n\r\nevent: done\r\ndata: {}\r\n\r\n'
    const whole = parse([text])
    expect(whole).toHaveLength(2)
    expect(parse(text.split(''))).toEqual(whole)
    expect(parse([text.slice(0, 13), text.slice(13, 14), text.slice(14)])).toEqual(whole)
  })

  it('joins multi-line data with newlines and ignores comments', () => {
    const text = formatSse({ event: 'delta', data: 'line one\nline two' })
    expect(parse([': keep-alive\n\n', text])).toEqual([{ event: 'delta', data: 'line one\nline two' }])
  })

  it('calls an event without a name "message" and skips events with no data', () => {
    expect(parse(['data: x\n\nevent: empty\n\n'])).toEqual([{ event: 'message', data: 'x' }])
  })
})
