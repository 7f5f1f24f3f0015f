// The re-check an open WebSocket runs: against the fake cluster-api, through the same caches as a request.

import { describe, expect, it } from 'vitest'
import type { RouteInfo } from '../../../wire/internal-api.ts'
import { fake, testEnv, uniqueSlug } from '../../test/fake-platform-client.ts'
import { configFor } from '../config.ts'
import { accessRecheckFor, POLICY_VIOLATION, type OpenedWith } from './access-recheck.ts'

const background = (work: Promise<unknown>) => void work.catch(() => undefined)
const recheck = (opened: OpenedWith) => accessRecheckFor(opened, configFor(testEnv), background)
const route = (tenantId: string, visibility: RouteInfo['visibility']): RouteInfo =>
  ({ slug: uniqueSlug('recheck'), agentId: `agt_${tenantId}`, tenantId, visibility, state: 'ready' })

describe('access re-check', () => {
  it('holds for a key that still verifies, and closes with 1008 for one that does not', async () => {
    const key = await fake.addKey('ten_recheck_key')
    const good = recheck({ principal: 'key:k1', apiKey: key, route: route('ten_recheck_key', 'private'), access: 'member' })
    expect(await good!()).toEqual({ ok: true })
    const gone = recheck({ principal: 'key:k2', apiKey: `mi_revoked_${'x'.repeat(30)}`, route: route('ten_recheck_key', 'private'), access: 'member' })
    expect(await gone!()).toEqual({ ok: false, code: POLICY_VIOLATION, reason: 'API key revoked' })
  })

  it('holds for a member of the agent’s tenant, and closes for a user who is not one', async () => {
    await fake.userToken('user_recheck_member', ['ten_recheck_user'])
    const member = recheck({ principal: 'user:user_recheck_member', apiKey: null, route: route('ten_recheck_user', 'private'), access: 'member' })
    expect(await member!()).toEqual({ ok: true })
    await fake.userToken('user_recheck_outsider', ['ten_elsewhere'])
    const outsider = recheck({ principal: 'user:user_recheck_outsider', apiKey: null, route: route('ten_recheck_user', 'private'), access: 'member' })
    expect(await outsider!()).toMatchObject({ ok: false, code: POLICY_VIOLATION })
    // A member's access to a public agent is re-checked too: it was membership that made them a member there.
    const publicMember = recheck({ principal: 'user:user_recheck_outsider', apiKey: null, route: route('ten_recheck_user', 'public'), access: 'member' })
    expect(await publicMember!()).toMatchObject({ ok: false, code: POLICY_VIOLATION })
  })

  it('has nothing to re-check for anonymous callers and for guests of a public agent', () => {
    expect(recheck({ principal: 'anonymous', apiKey: null, route: route('ten_x', 'public'), access: 'guest' })).toBeNull()
    expect(recheck({ principal: 'user:u_guest', apiKey: null, route: route('ten_x', 'public'), access: 'guest' })).toBeNull()
  })
})
