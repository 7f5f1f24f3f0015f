import { describe, expect, it } from 'vitest'
import {
  ANON_SESSION_MAX_AGE_S, anonSessionKey, anonSessionSetCookie, decodeAnonSession, encodeAnonSession, newAnonSession,
} from './anon-session.ts'

const key = anonSessionKey('unit-master-secret-0123456789abcdef0123')
const NOW = 1_800_000_000

describe('anonymous session cookies', () => {
  it('gives every new session its own 128-bit id', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newAnonSession(NOW).id))
    expect(ids.size).toBe(50)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/)
  })

  it('reads back the session it issued for the same agent', () => {
    const session = newAnonSession(NOW)
    expect(decodeAnonSession(encodeAnonSession(session, 'agt_1', key), 'agt_1', key, NOW + 60)).toEqual(session)
  })

  it('refuses a changed id, time or mac, another agent, another key, and garbage', () => {
    const session = newAnonSession(NOW)
    const value = encodeAnonSession(session, 'agt_1', key)
    const [id, issued, mac] = value.split('.') as [string, string, string]
    const otherId = newAnonSession(NOW).id
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}`
    for (const forged of [
      `${otherId}.${issued}.${mac}`, `${id}.${Number(issued) + 1}.${mac}`, `${id}.${issued}.${flip(mac)}`,
      `${id}.${issued}`, `${value}.x`, 'x', '', `${id.toUpperCase()}.${issued}.${mac}`,
    ]) expect(decodeAnonSession(forged, 'agt_1', key, NOW)).toBeNull()
    expect(decodeAnonSession(value, 'agt_2', key, NOW)).toBeNull()
    expect(decodeAnonSession(value, 'agt_1', anonSessionKey('another-master-secret-0123456789abcdef'), NOW)).toBeNull()
  })

  it('ends a session after its maximum age and refuses one issued in the future', () => {
    const session = newAnonSession(NOW)
    const value = encodeAnonSession(session, 'agt_1', key)
    expect(decodeAnonSession(value, 'agt_1', key, NOW + ANON_SESSION_MAX_AGE_S - 1)).not.toBeNull()
    expect(decodeAnonSession(value, 'agt_1', key, NOW + ANON_SESSION_MAX_AGE_S)).toBeNull()
    expect(decodeAnonSession(value, 'agt_1', key, NOW - 3_600)).toBeNull()
  })

  it('sets a host-only HttpOnly SameSite=Lax cookie, Secure with the __Host- prefix on https', () => {
    const session = newAnonSession(NOW)
    const plain = anonSessionSetCookie(session, 'agt_1', key, false)
    expect(plain).toMatch(/^mi_anon=[0-9a-f]{32}\.\d+\.[0-9a-f]{64}; /)
    expect(plain).toContain('; Path=/; ')
    expect(plain).toContain(`; Max-Age=${ANON_SESSION_MAX_AGE_S}; `)
    expect(plain).toContain('; HttpOnly; SameSite=Lax')
    expect(plain).not.toMatch(/Secure|Domain/i)
    const secure = anonSessionSetCookie(session, 'agt_1', key, true)
    expect(secure).toMatch(/^__Host-mi_anon=/)
    expect(secure).toMatch(/; Secure$/)
    expect(secure).not.toMatch(/Domain/i)
  })
})
