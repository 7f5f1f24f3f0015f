import { describe, expect, it } from 'vitest'
import { classifyHostname } from './classify-host.ts'

describe('classifyHostname', () => {
  it('maps the bare domain and www to the landing page', () => {
    expect(classifyHostname('myintell.ai', 'myintell.ai')).toEqual({ kind: 'landing' })
    expect(classifyHostname('www.myintell.ai', 'myintell.ai')).toEqual({ kind: 'landing' })
  })

  it('maps app. and api. to the platform', () => {
    expect(classifyHostname('app.myintell.ai', 'myintell.ai')).toEqual({ kind: 'app' })
    expect(classifyHostname('API.myintell.ai.', 'myintell.ai')).toEqual({ kind: 'api' })
  })

  it('maps one label under the base domain to that agent', () => {
    expect(classifyHostname('ada.localhost', 'localhost')).toEqual({ kind: 'agent', slug: 'ada' })
  })

  it('refuses nested labels and foreign domains', () => {
    expect(classifyHostname('a.ada.myintell.ai', 'myintell.ai')).toBeNull()
    expect(classifyHostname('ada.myintell.ai.evil.com', 'myintell.ai')).toBeNull()
    expect(classifyHostname('evilmyintell.ai', 'myintell.ai')).toBeNull()
  })
})
