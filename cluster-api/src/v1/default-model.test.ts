import { describe, expect, it } from 'vitest'
import { defaultModelFor } from './schemas.ts'

describe('the default model of a new agent', () => {
  it('is the offline local model when the platform holds no provider key', () => {
    expect(defaultModelFor({})).toEqual({ provider: 'local', model: 'local-dev' })
  })

  it('prefers Anthropic, then OpenAI, when their keys are configured', () => {
    expect(defaultModelFor({ ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'k' }).provider).toBe('anthropic')
    expect(defaultModelFor({ OPENAI_API_KEY: 'k' }).provider).toBe('openai')
  })
})
