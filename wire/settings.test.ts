import { describe, expect, it } from 'vitest'
import { choice, flag, integer, list, port, settingsSchema, SettingsError, text, url } from './settings.ts'

const schema = settingsSchema({
  timeoutMs: integer('TIMEOUT_MS', { default: 30_000, unit: 'ms', zero: 'no bound', doc: 'how long' }),
  size: integer('SIZE', { default: 2, min: 1, unit: 'count', doc: 'how many' }),
  listen: port('LISTEN_PORT', { default: 8080, doc: 'where' }),
  verbose: flag('VERBOSE', { doc: 'louder' }),
  mode: choice('MODE', ['fast', 'safe'], { default: 'safe', doc: 'how' }),
  target: url('TARGET_URL', { required: true, doc: 'whither' }),
  secret: text('SECRET', { minLength: 8, secret: true, doc: 'shh' }),
  points: list('POINTS', { default: ['web'], doc: 'entry points' }),
})

describe('settingsSchema', () => {
  it('gives every default for an unset or blank variable', () => {
    expect(schema.parse({ TARGET_URL: 'http://x.test', TIMEOUT_MS: '  ', SIZE: '' })).toEqual({
      timeoutMs: 30_000, size: 2, listen: 8080, verbose: undefined, mode: 'safe', target: 'http://x.test', secret: undefined, points: ['web'],
    })
  })

  it('parses set values, 0 included where it has a meaning', () => {
    const values = schema.parse({ TARGET_URL: 'https://y.test/a', TIMEOUT_MS: '0', SIZE: '3', LISTEN_PORT: '0', VERBOSE: 'on', MODE: 'FAST', POINTS: 'web, websecure,' })
    expect(values).toMatchObject({ timeoutMs: 0, size: 3, listen: 0, verbose: true, mode: 'fast', target: 'https://y.test/a', points: ['web', 'websecure'] })
  })

  it('reports every bad variable at once, one line each, and never echoes a secret', () => {
    let error: unknown
    try {
      schema.parse({ TIMEOUT_MS: '1.5', SIZE: '0', LISTEN_PORT: '70000', VERBOSE: 'maybe', MODE: 'slow', SECRET: 'pw12345' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SettingsError)
    const issues = (error as SettingsError).issues
    expect(issues.map((issue) => issue.split(':')[0])).toEqual(['TIMEOUT_MS', 'SIZE', 'LISTEN_PORT', 'VERBOSE', 'MODE', 'TARGET_URL', 'SECRET'])
    expect(issues.find((issue) => issue.startsWith('TARGET_URL'))).toBe('TARGET_URL: is required')
    expect((error as Error).message).not.toContain('pw12345')
    expect((error as Error).message).toMatch(/^invalid configuration:\n {2}TIMEOUT_MS: must be an integer >= 0 \(ms\), got "1.5"/)
  })

  it('refuses a URL of another scheme', () => {
    expect(() => settingsSchema({ db: url('DB', { protocols: ['postgres'], secret: true, doc: 'db' }) }).parse({ DB: 'http://u:pw@h/db' }))
      .toThrow(/DB: must be a postgres URL$/)
  })

  it('documents each variable with its default, unit and what 0 means', () => {
    expect(schema.docs.find((d) => d.name === 'TIMEOUT_MS')).toEqual({ name: 'TIMEOUT_MS', default: '30000', unit: 'ms', zero: 'no bound', doc: 'how long' })
    expect(schema.docs.find((d) => d.name === 'SIZE')?.zero).toBeUndefined()
    expect(schema.docs.find((d) => d.name === 'LISTEN_PORT')?.zero).toBe('a free port')
    expect(schema.docs.find((d) => d.name === 'TARGET_URL')?.default).toBeUndefined()
  })

  it('fails at definition when a setting that accepts 0 does not say what 0 means, or a name is declared twice', () => {
    expect(() => integer('N', { default: 1, unit: 'count', doc: 'n' })).toThrow(/what 0 means/)
    expect(() => settingsSchema({ a: flag('A', { doc: 'a' }), b: flag('A', { doc: 'b' }) })).toThrow(/declared twice/)
  })
})
