// One delegation at run time: a runtime (proven by its agent's key) asks one of its delegates. The caller's delegates
// are read from the database now (one removed since, or moved to another tenant, is refused), the chain of agents
// this call continues is checked for depth and repeats, then the delegate is woken through the run path's wake
// (runs/execute-run.ts ensureAwake) and sent the turn signed for it (runs/turn-client.ts); its reply text is returned.

import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { DelegateReply } from '../../../wire/internal-api.ts'
import { ProblemError } from '../../../wire/problem.ts'
import { findAgentById } from '../db/queries/agents.ts'
import type { Db } from '../db/types.ts'
import { ensureAwake, RetryableRunError } from '../runs/execute-run.ts'
import { NoEndpoints, TurnRefused, type TurnClient } from '../runs/turn-client.ts'
import type { Workloads } from '../workloads/workloads.ts'
import { findDelegate } from './delegates-config.ts'

/** Agents in one chain of delegations, the first caller included: A → B → C is depth 3. */
export const MAX_DELEGATION_DEPTH = 3
/** A delegate's whole turn; past it the caller's tool call fails (its own turn goes on). */
export const DELEGATE_TURN_TIMEOUT_MS = 120_000
const MAX_MESSAGE_CHARS = 32_000

export const delegateRequestSchema = z.strictObject({
  delegate: z.string().min(1).max(100),
  message: z.string().min(1).max(MAX_MESSAGE_CHARS),
})

export interface DelegationDeps {
  db: Db
  workloads: Workloads
  turns: TurnClient
  wakeTimeoutMs: number
}

/**
 * The chains of the delegated turns this process has in flight, by the agent serving each. A runtime's own call
 * continues the longest chain its agent is serving (it cannot say which of its turns asks, and cannot be trusted
 * to): so a repeat anywhere in the chain is seen whatever the runtime claims. One process's view: with several
 * cluster-api replicas a chain that crosses them restarts (the config-time cycle check still holds).
 */
export class DelegationChains {
  readonly #serving = new Map<string, Set<readonly string[]>>()

  /** The chain a call by `agentId` continues: the longest one it serves, or just itself. */
  chainOf(agentId: string): readonly string[] {
    let longest: readonly string[] = [agentId]
    for (const chain of this.#serving.get(agentId) ?? []) if (chain.length > longest.length) longest = chain
    return longest
  }

  /** Marks `agentId` as serving `chain` (which ends with it) until the returned release is called. */
  enter(agentId: string, chain: readonly string[]): () => void {
    let set = this.#serving.get(agentId)
    if (!set) this.#serving.set(agentId, set = new Set())
    set.add(chain)
    return () => {
      set.delete(chain)
      if (set.size === 0) this.#serving.delete(agentId)
    }
  }
}

function refusal(status: number, code: string, title: string, detail: string): ProblemError {
  return new ProblemError({ status, code, title, detail })
}

export async function delegate(deps: DelegationDeps, chains: DelegationChains, callerId: string, request: z.infer<typeof delegateRequestSchema>,
  signal: AbortSignal): Promise<DelegateReply> {
  const caller = await findAgentById(deps.db, callerId)
  // A signature for an id comes only from that id's key; a deleted caller has no delegates.
  const notDelegate = refusal(403, 'not-a-delegate', 'Not one of this agent\'s delegates', `"${request.delegate}" is not a delegate of this agent`)
  if (!caller || !caller.delegates.includes(request.delegate)) throw notDelegate
  const target = await findDelegate(deps.db, caller.tenantId, request.delegate)
  if (!target) throw notDelegate

  const chain = chains.chainOf(callerId)
  if (chain.includes(target.id)) {
    throw refusal(409, 'delegation-cycle', 'Delegation would repeat an agent', `"${target.slug}" is already in this chain of delegations`)
  }
  if (chain.length + 1 > MAX_DELEGATION_DEPTH) {
    throw refusal(409, 'delegation-too-deep', 'Delegation chain is too deep', `at most ${MAX_DELEGATION_DEPTH} agents in one chain`)
  }
  if (target.desiredState === 'paused') throw refusal(409, 'agent-paused', 'The delegate is paused', `"${target.slug}" is paused by its owner`)

  const abort = AbortSignal.any([signal, AbortSignal.timeout(DELEGATE_TURN_TIMEOUT_MS)])
  try {
    await ensureAwake(deps, target.id, abort)
  } catch (error) {
    const message = error instanceof RetryableRunError ? error.reason.message : String(error)
    throw new ProblemError({ status: 503, code: 'delegate-did-not-wake', title: 'The delegate did not wake', detail: message, headers: { 'retry-after': '5' } })
  }

  const release = chains.enter(target.id, [...chain, target.id])
  let reply = ''
  let conversationId: string | null = null
  try {
    const turn = deps.turns.send({
      agentId: target.id, tenantId: target.tenantId, slug: target.slug,
      // The turn is the calling agent's, a member of the tenant: the delegate keeps it as an agent-wide conversation.
      principal: `agent:${callerId}`, runId: `delegation-${randomBytes(6).toString('hex')}`,
    }, { message: request.message }, abort)
    for await (const event of turn) {
      const data = parse(event.data)
      if (event.event === 'start' && typeof data.conversationId === 'string') conversationId = data.conversationId
      if (event.event === 'delta' && typeof data.text === 'string') reply += data.text
      if (event.event === 'done') return { delegate: target.slug, reply, conversationId }
      if (event.event === 'error') {
        throw new ProblemError({ status: 502, code: 'delegate-failed', title: 'The delegate failed', detail: `${String(data.code ?? 'error')}: ${String(data.message ?? '')}` })
      }
    }
    throw new ProblemError({ status: 502, code: 'delegate-failed', title: 'The delegate failed', detail: 'the reply ended without done' })
  } catch (error) {
    if (error instanceof ProblemError) throw error
    const detail = error instanceof NoEndpoints || error instanceof TurnRefused ? error.message : 'the delegate could not be reached'
    throw new ProblemError({ status: 502, code: 'delegate-failed', title: 'The delegate failed', detail })
  } finally {
    release()
  }
}

function parse(data: string): Record<string, unknown> {
  try {
    return JSON.parse(data) as Record<string, unknown>
  } catch {
    return {}
  }
}
