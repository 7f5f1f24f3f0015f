// Who is asking, as far as the agent's data goes, from what the edge signed (X-Principal, X-Principal-Access).
// A member of the agent's tenant sees and manages everything of the agent; anyone else is a guest of a public agent
// and reaches only the conversations it started and the memories it asked to be kept. Unsaid access is guest.
import type { Context } from 'hono'
import type { RowScope } from '../db/conversation-queries.ts'
import type { AppEnv } from './app-env.ts'
import { ProblemError } from '../../../wire/problem.ts'

export interface Caller {
  /** Acts for the agent's tenant: every conversation and memory of the agent is its to see and manage. */
  member: boolean
  /**
   * The principal the caller's own conversations and memories are kept under (`user:…`, `key:…`, `anon:<session>`);
   * null when the edge named no one it could recognise again (`anonymous`): such a caller can chat but keeps nothing.
   */
  owner: string | null
}

/** A principal that names someone the edge will recognise on the next request. */
const OWNER_PATTERN = /^(?:user|key|anon):\S+$/

/** From the verified X-Principal and X-Principal-Access (anything but `member`, or nothing, is a guest). */
export function callerOf(principal: string | null, access: string | null): Caller {
  const owner = principal !== null && OWNER_PATTERN.test(principal) ? principal : null
  // Fail closed: a request that did not say what the caller is to the tenant gets a guest's view.
  return { member: access === 'member', owner }
}

export function requestCaller(c: Context<AppEnv>): Caller {
  return callerOf(c.get('principal'), c.get('principalAccess'))
}

/** The conversations the caller may list, read, continue and delete. */
export function conversationScope(caller: Caller): RowScope {
  return caller.member ? { all: true } : { all: false, owner: caller.owner }
}

/**
 * Where a fact the caller asked to be remembered is kept: agent-wide (principal null) for a member, as the guest's
 * own for a guest, and nowhere for a guest the edge could not name (it would otherwise become agent-wide).
 */
export function memoryHolder(caller: Caller): { principal: string | null } | null {
  if (caller.member) return { principal: null }
  return caller.owner === null ? null : { principal: caller.owner }
}

/** The agent-wide endpoints (every memory of the agent) are the tenant's own. */
export function requireMember(caller: Caller): void {
  if (!caller.member) {
    throw new ProblemError({
      status: 403, code: 'members-only', title: 'Forbidden',
      detail: "Only the superfriend's own account can see and change its memories.",
    })
  }
}
