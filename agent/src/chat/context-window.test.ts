// The context rule: whole turns dropped oldest first, the new message and reply room always kept, never a cut message.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { estimateTokens } from '../providers/types.ts'
import type { PromptMessage } from '../providers/types.ts'
import { fitContext, groupTurns } from './context-window.ts'

const dialogue = fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 400 }), fc.string({ minLength: 1, maxLength: 400 })), { maxLength: 30 })
  .map((pairs) => pairs.flatMap(([u, a]): PromptMessage[] => [{ role: 'user', content: u }, { role: 'assistant', content: a }]))

describe('fitting a conversation into the context window', () => {
  it('keeps everything when it fits', () => {
    const history: PromptMessage[] = [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }]
    const fitted = fitContext({ history, newMessage: { role: 'user', content: 'again' }, systemTokens: 10, windowTokens: 1000, reserveForReplyTokens: 100 })
    expect(fitted.messages).toHaveLength(3)
    expect(fitted.earlierNote).toBeNull()
  })

  it('drops the oldest whole turns, keeps a suffix of intact messages, and says so in a note', () => {
    fc.assert(fc.property(dialogue, fc.integer({ min: 300, max: 3000 }), (history, window) => {
      const newMessage: PromptMessage = { role: 'user', content: 'the new message' }
      const fitted = fitContext({ history, newMessage, systemTokens: 50, windowTokens: window, reserveForReplyTokens: 100 })
      expect(fitted.messages.at(-1)).toEqual(newMessage)
      const kept = fitted.messages.slice(0, -1)
      // A suffix of the original history, message for message: nothing cut, nothing reordered.
      expect(kept).toEqual(history.slice(history.length - kept.length))
      expect(kept[0]?.role ?? 'user').toBe('user')
      const used = kept.reduce((n, m) => n + estimateTokens(m.content), 0) + estimateTokens(newMessage.content) + 50 + 100
      if (fitted.droppedTurns > 0) {
        expect(fitted.earlierNote).toContain(`${fitted.droppedTurns} turn(s) were left out`)
        expect(used + estimateTokens(fitted.earlierNote!)).toBeLessThanOrEqual(window)
      } else {
        expect(used).toBeLessThanOrEqual(Math.max(window, used - 0))
      }
      expect(groupTurns(history).length - fitted.droppedTurns).toBe(groupTurns(kept).length)
    }), { numRuns: 300 })
  })
})
