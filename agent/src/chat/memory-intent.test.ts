// Which messages are requests to remember something, and what fact is kept.
import { describe, expect, it } from 'vitest'
import { extractFact, MAX_FACT_CHARS } from './memory-intent.ts'

describe('remember requests', () => {
  it.each([
    ['Remember that my cat is called Miso.', 'my cat is called Miso'],
    ['please remember that I work nights', 'I work nights'],
    ['Hey, can you remember that my sister is Lea?', 'my sister is Lea'],
    ['Remember: the wifi password is on the fridge', 'the wifi password is on the fridge'],
    ["Don't forget that I'm vegetarian!", "I'm vegetarian"],
    ['keep in mind I hate mornings', 'I hate mornings'],
  ])('keeps the fact in %j', (message, fact) => {
    expect(extractFact(message)).toBe(fact)
  })

  it.each(['Hello there', 'Do you remember me?', 'I forgot my keys', 'remember that'])('keeps nothing from %j', (message) => {
    expect(extractFact(message)).toBeNull()
  })

  it('bounds a very long fact at a word boundary', () => {
    const fact = extractFact(`remember that ${'word '.repeat(500)}`)!
    expect(fact.length).toBeLessThanOrEqual(MAX_FACT_CHARS + 1)
    expect(fact.endsWith('word…')).toBe(true)
  })
})
