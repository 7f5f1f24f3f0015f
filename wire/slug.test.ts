import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { checkSlug, RESERVED_SLUGS, SLUG_MAX_LENGTH, SLUG_MIN_LENGTH } from './slug.ts'

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$/)

describe('slug rules', () => {
  it('accepts every well-formed DNS label that is not reserved', () => {
    fc.assert(fc.property(label, (slug) => {
      fc.pre(!RESERVED_SLUGS.has(slug) && !/^..--/.test(slug))
      expect(checkSlug(slug)).toBeNull()
    }), { numRuns: 500 })
  })

  it('refuses any slug with a character outside [a-z0-9-], naming the rule', () => {
    fc.assert(fc.property(label, fc.nat(), fc.constantFrom('A', '_', '.', ' ', 'é', '/', 'Z', '!'), (slug, at, bad) => {
      const i = at % slug.length
      const broken = slug.slice(0, i) + bad + slug.slice(i + 1)
      expect(checkSlug(broken)?.rule).toBe('charset')
    }))
  })

  it('refuses lengths outside 3..40', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: 0, max: SLUG_MIN_LENGTH - 1 }), fc.integer({ min: SLUG_MAX_LENGTH + 1, max: 100 })), (n) => {
      expect(checkSlug('a'.repeat(n))?.rule).toBe('length')
    }))
  })

  it('refuses a leading or trailing hyphen', () => {
    fc.assert(fc.property(label, (slug) => {
      expect(checkSlug(`-${slug.slice(1)}`)?.rule).toBe('hyphen-edge')
      expect(checkSlug(`${slug.slice(0, -1)}-`)?.rule).toBe('hyphen-edge')
    }))
  })

  it('refuses every reserved name', () => {
    for (const name of RESERVED_SLUGS) {
      if (name.length >= SLUG_MIN_LENGTH) expect(checkSlug(name)?.rule).toBe('reserved')
    }
    expect(checkSlug('api')?.rule).toBe('reserved')
    expect(checkSlug('xn--abc')?.rule).toBe('punycode')
  })
})
