// The stored conversation as the model sees it again (turn.ts dialogueOf / modelMessagesOf): replies carry their
// turn's tool steps, a call left without a result is dropped, and a turn's steps never leak into the next turn.
import { describe, expect, it } from 'vitest'
import type { MessageRow } from '../db/conversation-queries.ts'
import { dialogueOf, modelMessagesOf } from './turn.ts'

let nextId = 1
function row(role: string, content = '', tool: MessageRow['tool'] = null): MessageRow {
  return { id: nextId++, conversationId: 'c', role, content, status: 'complete', errorCode: null, tokensIn: 0, tokensOut: 0, tool, createdAt: new Date() }
}

describe('the stored dialogue with tool steps', () => {
  it('puts each step (calls, then their results) before the reply, one assistant and one tool message per step', () => {
    const rows = [
      row('user', 'Time and memory?'),
      row('tool-call', '', { id: 'a', name: 'clock', args: {} }),
      row('tool-call', '', { id: 'b', name: 'memory', args: { action: 'search' } }),
      row('tool-result', '', { id: 'a', name: 'clock', result: { now: 'x' }, isError: false }),
      row('tool-result', '', { id: 'b', name: 'memory', result: { error: 'down' }, isError: true }),
      row('tool-call', '', { id: 'c', name: 'clock', args: { timezone: 'UTC' } }),
      row('tool-result', '', { id: 'c', name: 'clock', result: { now: 'y' }, isError: false }),
      row('assistant', 'Done.'),
    ]
    const messages = modelMessagesOf(dialogueOf(rows))
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant'])
    expect(messages[1]).toMatchObject({ content: [{ toolCallId: 'a' }, { toolCallId: 'b' }] })
    expect(messages[2]).toMatchObject({ content: [{ toolCallId: 'a', output: { type: 'json', value: { now: 'x' } } }, { toolCallId: 'b', output: { type: 'error-json' } }] })
    expect(messages[3]).toMatchObject({ content: [{ toolCallId: 'c', input: { timezone: 'UTC' } }] })
    expect(messages[5]).toEqual({ role: 'assistant', content: 'Done.' })
  })

  it('drops a call that has no stored result, and the steps of a turn that broke off before its reply', () => {
    const rows = [
      row('user', 'First'),
      row('tool-call', '', { id: 'lost', name: 'clock', args: {} }),
      row('assistant', 'Partial'),
      row('user', 'Second'),
      row('tool-call', '', { id: 'orphan', name: 'clock', args: {} }),
      row('tool-result', '', { id: 'orphan', name: 'clock', result: {}, isError: false }),
      row('user', 'Third'),
    ]
    const messages = modelMessagesOf(dialogueOf(rows))
    expect(messages).toEqual([
      { role: 'user', content: 'First' }, { role: 'assistant', content: 'Partial' }, { role: 'user', content: 'Second' }, { role: 'user', content: 'Third' },
    ])
  })
})
