// The one Server-Sent Events parser (WHATWG rules): the agent runtime reads model providers with it, the CLI and
// the dashboard read superfriends' replies. Feed it decoded text as it arrives; it calls back once per event.

export interface SseEvent { event: string; data: string }

export function createSseParser(onEvent: (event: SseEvent) => void): { push(text: string): void; end(): void } {
  let buffer = ''
  let eventName = ''
  let data: string[] = []

  const dispatch = () => {
    if (data.length) onEvent({ event: eventName || 'message', data: data.join('\n') })
    eventName = ''
    data = []
  }
  const line = (text: string) => {
    if (text === '') return dispatch()
    if (text.startsWith(':')) return
    const colon = text.indexOf(':')
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') eventName = value
    else if (field === 'data') data.push(value)
  }
  return {
    push(text) {
      buffer += text
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer)
        // A lone trailing \r may be the first half of \r\n: wait for more.
        if (!match || (match[0] === '\r' && match.index === buffer.length - 1)) break
        line(buffer.slice(0, match.index))
        buffer = buffer.slice(match.index + match[0].length)
      }
    },
    end() {
      if (buffer) line(buffer)
      buffer = ''
      dispatch()
    },
  }
}
