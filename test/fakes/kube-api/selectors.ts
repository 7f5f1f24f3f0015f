// Label and field selectors of list and watch requests, as the API server reads them.
// Field selectors: metadata.name and metadata.namespace (every kind supports these two); others are 400.

import { statusFor } from './status.ts'
import type { JsonObject } from './patches.ts'

/** Equality-based label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated. */
export function labelMatcher(selector: string | undefined): (labels: Record<string, string>) => boolean {
  if (!selector) return () => true
  const terms = selector.split(',').map((t) => t.trim()).filter(Boolean)
  return (labels) => terms.every((term) => {
    const notEqual = term.match(/^([^!=]+)!=(.*)$/)
    if (notEqual) return labels[(notEqual[1] as string).trim()] !== (notEqual[2] as string).trim()
    const equal = term.match(/^([^=]+)==?(.*)$/)
    if (equal) return labels[(equal[1] as string).trim()] === (equal[2] as string).trim()
    if (term.startsWith('!')) return !(term.slice(1) in labels)
    return term in labels
  })
}

const FIELDS = ['metadata.name', 'metadata.namespace'] as const

/** Field selectors `field=value`, `field==value`, `field!=value`, comma-separated; throws 400 for other fields. */
export function fieldMatcher(selector: string | undefined): (object: JsonObject) => boolean {
  if (!selector) return () => true
  const terms = selector.split(',').map((t) => t.trim()).filter(Boolean).map((term) => {
    const match = term.match(/^([^!=]+)(!=|==|=)(.*)$/)
    if (!match) throw statusFor('BadRequest', `invalid field selector: "${term}": expected field=value or field!=value`)
    const field = (match[1] as string).trim()
    if (!(FIELDS as readonly string[]).includes(field)) throw statusFor('BadRequest', `field label not supported: ${field}`)
    return { key: field.slice('metadata.'.length), negated: match[2] === '!=', value: (match[3] as string).trim() }
  })
  return (object) => {
    const metadata = (object.metadata ?? {}) as JsonObject
    return terms.every(({ key, negated, value }) => ((metadata[key] ?? '') === value) !== negated)
  }
}

/** Both selectors of a request over whole objects. */
export function objectMatcher(labelSelector: string | undefined, fieldSelector: string | undefined): (object: JsonObject) => boolean {
  const labels = labelMatcher(labelSelector)
  const fields = fieldMatcher(fieldSelector)
  return (object) => fields(object) && labels(((object.metadata as JsonObject | undefined)?.labels ?? {}) as Record<string, string>)
}
