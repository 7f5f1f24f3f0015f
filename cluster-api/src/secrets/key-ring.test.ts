import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { SettingsError } from '../../../wire/settings.ts'
import { loadConfig } from '../config.ts'
import { keyIdOf, parseSecretsKey, SecretKeyRing } from './key-ring.ts'
import { LOCAL_SECRETS_KEY_FILE, localSecretsKey } from './secrets-key.ts'

const AGENT = '01890000-0000-7000-8000-000000000001'
const dataDir = mkdtempSync(join(tmpdir(), 'myintell-secrets-key-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('the secret key ring', () => {
  it('seals with a fresh nonce each time and opens what it sealed', () => {
    const ring = new SecretKeyRing(randomBytes(32))
    const one = ring.seal(AGENT, 'OPENAI_API_KEY', 'sk-plain-value')
    const two = ring.seal(AGENT, 'OPENAI_API_KEY', 'sk-plain-value')
    expect(Buffer.from(one.nonce, 'base64')).toHaveLength(12)
    expect(one.nonce).not.toBe(two.nonce)
    expect(one.ciphertext).not.toBe(two.ciphertext)
    expect(Buffer.from(one.ciphertext, 'base64').toString('latin1')).not.toContain('sk-plain-value')
    expect(ring.open(AGENT, 'OPENAI_API_KEY', one)).toBe('sk-plain-value')
    expect(ring.open(AGENT, 'OPENAI_API_KEY', two)).toBe('sk-plain-value')
  })

  it('refuses a value moved to another agent or name, or altered', () => {
    const ring = new SecretKeyRing(randomBytes(32))
    const sealed = ring.seal(AGENT, 'TOKEN', 'value')
    expect(() => ring.open('01890000-0000-7000-8000-000000000002', 'TOKEN', sealed)).toThrow()
    expect(() => ring.open(AGENT, 'OTHER', sealed)).toThrow()
    const bytes = Buffer.from(sealed.ciphertext, 'base64')
    bytes[0] = bytes[0]! ^ 1
    expect(() => ring.open(AGENT, 'TOKEN', { ...sealed, ciphertext: bytes.toString('base64') })).toThrow()
  })

  it('opens with the previous key after a rotation and seals with the new one only', () => {
    const old = randomBytes(32)
    const fresh = randomBytes(32)
    const sealedOld = new SecretKeyRing(old).seal(AGENT, 'TOKEN', 'kept')
    const rotated = new SecretKeyRing(fresh, old)
    expect(rotated.open(AGENT, 'TOKEN', sealedOld)).toBe('kept')
    expect(rotated.seal(AGENT, 'TOKEN', 'x').keyId).toBe(keyIdOf(fresh))
    expect(() => new SecretKeyRing(fresh).open(AGENT, 'TOKEN', sealedOld)).toThrow(/does not hold/)
  })

  it('reads a base64 key of 32 bytes and nothing else, never echoing it', () => {
    const key = randomBytes(32)
    expect(parseSecretsKey(key.toString('base64')).equals(key)).toBe(true)
    expect(() => parseSecretsKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/)
    expect(() => parseSecretsKey('not base64 at all!')).toThrow(/base64/)
    try {
      parseSecretsKey('c2hvcnQ=')
    } catch (error) {
      expect((error as Error).message).not.toContain('c2hvcnQ')
    }
  })
})

describe('the local secrets key', () => {
  it('is generated once into the data directory, mode 0600, and read back after', () => {
    const first = localSecretsKey(dataDir)
    const file = join(dataDir, LOCAL_SECRETS_KEY_FILE)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('base64'))
    expect(localSecretsKey(dataDir).equals(first)).toBe(true)
  })

  it('comes from MYINTELL_SECRETS_KEY when set, and production refuses to start without it in one line', () => {
    const env = { EDGE_SIGNING_SECRET: 'key-ring-test-signing-secret-0123456789abcdef', MYINTELL_DATA_DIR: dataDir }
    const key = randomBytes(32)
    expect(loadConfig({ ...env, MYINTELL_SECRETS_KEY: key.toString('base64') }).secretsKeys.current.equals(key)).toBe(true)
    const production = { ...env, NODE_ENV: 'production', AUTH_JWKS_URL: 'https://clerk.example.test/.well-known/jwks.json', AUTH_ISSUER: 'https://clerk.example.test' }
    let issues: readonly string[] = []
    try {
      loadConfig(production)
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error
      issues = error.issues
    }
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatch(/^MYINTELL_SECRETS_KEY: required in production/)
    expect(loadConfig({ ...production, MYINTELL_SECRETS_KEY: key.toString('base64') }).production).toBe(true)
  })

  it('refuses a malformed key, naming the variable and not the value', () => {
    const env = { EDGE_SIGNING_SECRET: 'key-ring-test-signing-secret-0123456789abcdef', MYINTELL_DATA_DIR: dataDir }
    let message = ''
    try {
      loadConfig({ ...env, MYINTELL_SECRETS_KEY: 'dG9vLXNob3J0' })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('MYINTELL_SECRETS_KEY')
    expect(message).not.toContain('dG9vLXNob3J0')
  })
})
