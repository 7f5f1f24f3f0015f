// Recognises "remember that …" requests in a user message and extracts the fact to keep.
// Deliberately literal: a fact is only stored when the user asked for it in so many words.

/** A fact longer than this is cut at a word boundary; memories are recalled into every prompt. */
export const MAX_FACT_CHARS = 500

const PATTERNS = [
  /\b(?:please\s+)?remember\s+that\s+(.+)/is,
  /^\s*(?:please\s+)?remember[:,]?\s+(?!that\s*$)(.+)/is,
  /\b(?:keep in mind|don't forget|do not forget)\s+(?:that\s+)?(.+)/is,
]

export function extractFact(message: string): string | null {
  for (const pattern of PATTERNS) {
    const match = pattern.exec(message)
    if (!match?.[1]) continue
    let fact = match[1].replace(/\s+/g, ' ').trim().replace(/[.!?]+$/, '')
    if (fact.length === 0) continue
    if (fact.length > MAX_FACT_CHARS) fact = `${fact.slice(0, MAX_FACT_CHARS).replace(/\s+\S*$/, '')}…`
    return fact
  }
  return null
}
