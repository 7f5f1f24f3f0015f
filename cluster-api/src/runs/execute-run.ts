// One attempt of a run: wake the agent through the platform's wake path (Workloads.wake + the status wait the internal
// API serves the edge), send the turn through the ingress (turn-client.ts), store every event as it arrives, and end
// the run — or ask for another attempt when the agent did not wake or the provider failed before any output.

import type { Logger } from 'pino'
import { ProblemError } from '../../../wire/problem.ts'
import { findAgentById } from '../db/queries/agents.ts'
import type { Db } from '../db/types.ts'
import type { RunError, RunUsage } from '../db/schema/index.ts'
import type { Workloads } from '../workloads/workloads.ts'
import { appendEvent, findRunById, finishRun, setRunConversation, startAttempt, type RunOutcome } from './queries.ts'
import type { RunFeed } from './run-feed.ts'
import { NoEndpoints, TurnRefused, type TurnClient } from './turn-client.ts'

/** A failure another attempt may cure: pg-boss retries the job with backoff until the bound. */
export class RetryableRunError extends Error {
  readonly reason: RunError
  constructor(reason: RunError) {
    super(reason.message)
    this.reason = reason
  }
}

export interface ExecuteDeps {
  db: Db
  workloads: Workloads
  turns: TurnClient
  feed: RunFeed
  logger: Logger
  /** How long one attempt waits for the agent to be ready. */
  wakeTimeoutMs: number
  /** Attempts in all; the last one fails the run with its reason instead of asking for a retry. */
  maxAttempts: number
  /** How often a running attempt checks whether the run was cancelled (by this or another process). */
  cancelCheckMs: number
}

async function record(deps: ExecuteDeps, runId: string, type: string, data: Record<string, unknown>): Promise<void> {
  await appendEvent(deps.db, runId, type, data)
  deps.feed.notify(runId)
}

async function end(deps: ExecuteDeps, runId: string, outcome: RunOutcome): Promise<void> {
  if (await finishRun(deps.db, runId, outcome)) {
    await record(deps, runId, 'status', { status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}) })
  }
}

/** Runs one attempt. Throws RetryableRunError when pg-boss should try again; otherwise the run is over. */
export async function executeRun(deps: ExecuteDeps, runId: string, signal: AbortSignal): Promise<void> {
  const run = await startAttempt(deps.db, runId)
  if (!run) return // cancelled while queued, or finished by an earlier attempt
  const last = run.attempts >= deps.maxAttempts
  await record(deps, runId, 'attempt', { attempt: run.attempts, of: deps.maxAttempts })
  const agent = await findAgentById(deps.db, run.agentId)
  if (!agent) return end(deps, runId, { status: 'failed', error: { code: 'agent-deleted', message: 'the agent was deleted' } })
  if (agent.desiredState === 'paused') return end(deps, runId, { status: 'failed', error: { code: 'agent-paused', message: 'the agent is paused by its owner' } })

  // A cancel (here or in another process) aborts the attempt; so does pg-boss (stop, expiry).
  const abort = new AbortController()
  const onStop = () => abort.abort(signal.reason)
  signal.addEventListener('abort', onStop, { once: true })
  const watch = setInterval(() => {
    void findRunById(deps.db, runId).then((current) => { if (current?.status === 'cancelled') abort.abort(new Error('cancelled')) }, () => {})
  }, deps.cancelCheckMs)
  let output = ''
  try {
    const outcome = await attempt(deps, run.id, agent, run.input, run.conversationId, run.principal, abort.signal, (text) => { output += text })
    return await end(deps, runId, outcome)
  } catch (error) {
    if ((await findRunById(deps.db, runId))?.status === 'cancelled') return
    // pg-boss aborted the attempt (this process stops, or the job expired): another attempt takes the run over.
    const interrupted = signal.aborted && !(error instanceof RetryableRunError)
    const reason = interrupted ? { code: 'interrupted', message: 'the cluster-api stopped during the attempt' }
      : error instanceof RetryableRunError ? error.reason : unexpected(error)
    const retryable = interrupted || (error instanceof RetryableRunError && output === '')
    if (retryable && !last) {
      await record(deps, runId, 'retry', { attempt: run.attempts, error: reason })
      throw error instanceof RetryableRunError ? error : new RetryableRunError(reason)
    }
    deps.logger.warn({ runId, attempt: run.attempts, reason }, 'run failed')
    return await end(deps, runId, { status: 'failed', error: reason, output: output || null })
  } finally {
    clearInterval(watch)
    signal.removeEventListener('abort', onStop)
  }
}

/** The wake path the edge's gate takes: POST wake, then the status long poll until ready (internal/router.ts). */
async function wakeAndWait(deps: Pick<ExecuteDeps, 'workloads' | 'wakeTimeoutMs'>, agentId: string, signal: AbortSignal): Promise<void> {
  try {
    await deps.workloads.wake(agentId)
  } catch (error) {
    if (error instanceof ProblemError && error.status === 409) throw new RetryableRunError({ code: 'agent-paused', message: error.message })
    throw new RetryableRunError({ code: 'agent-did-not-wake', message: `wake failed: ${error instanceof Error ? error.message : String(error)}` })
  }
  let status
  try {
    status = await deps.workloads.status(agentId, deps.wakeTimeoutMs, signal)
  } catch (error) {
    throw new RetryableRunError({ code: 'agent-did-not-wake', message: `status failed: ${error instanceof Error ? error.message : String(error)}` })
  }
  if (!status.ready) {
    throw new RetryableRunError({ code: 'agent-did-not-wake', message: `the agent was ${status.state}, not ready, after ${deps.wakeTimeoutMs} ms` })
  }
}

/**
 * As the edge does: an agent already awake gets the turn at once; only a sleeping one is woken and awaited. (A wake
 * of an awake local agent would push its whole spec to the runtime again, for every run.) Also the delegation path's.
 */
export async function ensureAwake(deps: Pick<ExecuteDeps, 'workloads' | 'wakeTimeoutMs'>, agentId: string, signal: AbortSignal): Promise<void> {
  const awake = await deps.workloads.status(agentId).then((s) => s.ready, () => false)
  if (!awake) await wakeAndWait(deps, agentId, signal)
}

function unexpected(error: unknown): RunError {
  return { code: 'run-error', message: error instanceof Error ? error.message : String(error) }
}

async function attempt(
  deps: ExecuteDeps, runId: string, agent: { id: string; tenantId: string; slug: string }, input: string,
  conversationId: string | null, principal: string, signal: AbortSignal, onText: (text: string) => void,
): Promise<RunOutcome> {
  await ensureAwake(deps, agent.id, signal)
  let output = ''

  let conversation = conversationId
  try {
    for await (const event of deps.turns.send({ agentId: agent.id, tenantId: agent.tenantId, slug: agent.slug, principal, runId },
      { message: input, ...(conversation ? { conversationId: conversation } : {}) }, signal)) {
      let data: Record<string, unknown>
      try {
        data = JSON.parse(event.data) as Record<string, unknown>
      } catch {
        data = { raw: event.data }
      }
      await record(deps, runId, event.event, data)
      if (event.event === 'start' && typeof data.conversationId === 'string' && !conversation) {
        conversation = data.conversationId
        await setRunConversation(deps.db, runId, conversation)
      }
      if (event.event === 'delta' && typeof data.text === 'string') {
        output += data.text
        onText(data.text)
      }
      if (event.event === 'done') {
        const usage = data.usage as RunUsage | undefined
        return { status: 'succeeded', output, usage: usage ?? null, conversationId: conversation }
      }
      if (event.event === 'error') {
        const reason = { code: 'provider-failed', message: `${String(data.code ?? 'error')}: ${String(data.message ?? '')}` }
        if (output === '') throw new RetryableRunError(reason)
        return { status: 'failed', output, error: reason, conversationId: conversation }
      }
    }
  } catch (error) {
    if (error instanceof RetryableRunError) throw error
    if (error instanceof NoEndpoints) throw new RetryableRunError({ code: 'agent-did-not-wake', message: error.message })
    if (error instanceof TurnRefused && error.status < 500) return { status: 'failed', output: null, error: { code: 'turn-refused', message: error.message } }
    if (signal.aborted) throw error
    throw new RetryableRunError({ code: 'runtime-unreachable', message: error instanceof Error ? error.message : String(error) })
  }
  throw new RetryableRunError({ code: 'runtime-lost', message: 'the runtime ended the reply without done or error' })
}
