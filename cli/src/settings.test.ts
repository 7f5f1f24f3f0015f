import { describe, expect, it } from 'vitest'
import { isLocalhostName } from './http-request.ts'
import { deriveAgentUrl, normalizeUrl } from './settings.ts'

describe('deriveAgentUrl', () => {
  it('swaps the api label for the slug and keeps scheme and port', () => {
    expect(deriveAgentUrl('http://api.localhost:8787', 'demo')).toBe('http://demo.localhost:8787')
    expect(deriveAgentUrl('https://api.myintell.ai', 'ada')).toBe('https://ada.myintell.ai')
  })

  it('refuses a host without an api label rather than guessing', () => {
    expect(() => deriveAgentUrl('http://127.0.0.1:8788', 'demo')).toThrow(/--agent-url/)
  })
})

describe('normalizeUrl', () => {
  it('drops trailing slashes so paths join cleanly', () => {
    expect(normalizeUrl('http://api.localhost:8787/', '--api-url')).toBe('http://api.localhost:8787')
  })

  it('accepts only http and https', () => {
    expect(() => normalizeUrl('ftp://x', '--api-url')).toThrow(/http/)
  })
})

describe('isLocalhostName', () => {
  it('treats localhost and every name under it as loopback, and nothing else', () => {
    expect(isLocalhostName('localhost')).toBe(true)
    expect(isLocalhostName('demo.localhost')).toBe(true)
    expect(isLocalhostName('Demo.LocalHost.')).toBe(true)
    expect(isLocalhostName('localhost.example.com')).toBe(false)
    expect(isLocalhostName('notlocalhost')).toBe(false)
  })
})
