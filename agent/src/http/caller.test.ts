import { describe, expect, it } from 'vitest'
import { callerOf, conversationScope, memoryHolder } from './caller.ts'

describe('caller', () => {
  it('is a member only when the edge said member; anything else, or nothing, is a guest', () => {
    expect(callerOf('key:k1', 'member').member).toBe(true)
    for (const access of ['guest', null, 'admin', 'MEMBER', '']) expect(callerOf('key:k1', access).member).toBe(false)
  })

  it('owns its data under a principal the edge can recognise again, and under nothing otherwise', () => {
    for (const principal of ['user:u1', 'key:k1', 'anon:0123abcd']) expect(callerOf(principal, 'guest').owner).toBe(principal)
    for (const principal of ['anonymous', null, 'anon:', 'user: spaced', '', 'root']) expect(callerOf(principal, 'guest').owner).toBeNull()
  })

  it('reaches every conversation as a member, its own as a guest, none as a guest it cannot name', () => {
    expect(conversationScope(callerOf('key:k1', 'member'))).toEqual({ all: true })
    expect(conversationScope(callerOf('anon:a1', 'guest'))).toEqual({ all: false, owner: 'anon:a1' })
    expect(conversationScope(callerOf('anonymous', null))).toEqual({ all: false, owner: null })
  })

  it('keeps a member\'s memory agent-wide, a guest\'s for that guest, and none for a guest it cannot name', () => {
    expect(memoryHolder(callerOf('user:u1', 'member'))).toEqual({ principal: null })
    expect(memoryHolder(callerOf('anon:a1', 'guest'))).toEqual({ principal: 'anon:a1' })
    expect(memoryHolder(callerOf('anon:a1', null))).toEqual({ principal: 'anon:a1' })
    expect(memoryHolder(callerOf('anonymous', 'guest'))).toBeNull()
  })
})
