// waitUntilReady of the kubernetes driver: list the agent's Deployment, judge it as status() does, then watch it
// from the list's resourceVersion (a change in between is not missed) until it is ready, fails or stops waking.
// A watch that ends early (410 Expired, stream closed, client-node's inactivity timeout) means: list again, watch again.

import { ApiException, type V1Deployment } from '@kubernetes/client-node'
import { KubernetesApiError } from './api-errors.ts'
import { backoffDelay, sleep } from './backoff.ts'
import type { KubeClient } from './kube-client.ts'
import { statusFromDeployment } from './workload-status.ts'

/** A watch that ends sooner than this (ms) after it was opened ended early; repeated early ends back off. */
const EARLY_END_MS = 1_000
/** Backoff after the second early end in a row (ms), doubled per further one: the first re-watch is immediate (410 is routine). */
const REWATCH_BASE_MS = 50
/** The longest pause between re-watches (ms). */
const REWATCH_CAP_MS = 2_000

/** The API server refused the watch itself (403 without RBAC `watch` on deployments, 404, 405…): re-watching will not help. */
export class WatchRefusedError extends KubernetesApiError {
  constructor(action: string, err: unknown) {
    super(action, err)
    this.name = 'WatchRefusedError'
  }
}

/** The agent will not become ready without a new wake: it failed, or nothing is waking it. */
export class AgentNotReadyError extends Error {
  constructor(agentId: string, why: string) {
    super(`kubernetes driver: agent ${agentId} ${why}`)
    this.name = 'AgentNotReadyError'
  }
}

/**
 * The agent's Deployment (undefined when it has none) as a list returned it, with the list's resourceVersion.
 * A watch must start from the list's version, the collection's current one, as informers do: the Deployment's own
 * version is that of its last change, which for a Deployment left alone for long (a pod stuck Pending, a slow image
 * pull) is older than the watch history, so every watch from it would be 410 Expired.
 */
export interface ListedDeployment {
  deployment: V1Deployment | undefined
  resourceVersion: string | undefined
}

/**
 * Resolves once `list()` or a watch shows a ready replica; rejects with AgentNotReadyError when the agent fails or
 * is not waking, with signal.reason when `signal` aborts, with the API error of a list, or WatchRefusedError.
 * Every watch it opens is aborted before it settles.
 */
export async function waitUntilDeploymentReady(client: KubeClient, agentId: string, list: () => Promise<ListedDeployment>, signal: AbortSignal): Promise<void> {
  let earlyEnds = 0
  for (;;) {
    const { deployment, resourceVersion } = await abortable(list(), signal)
    if (judge(agentId, deployment) === 'ready') return
    const { namespace, name } = deployment?.metadata ?? {}
    if (!namespace || !name || !resourceVersion) throw new Error(`kubernetes driver: the Deployment of agent ${agentId} was listed without namespace, name or the list's resourceVersion`)
    const opened = Date.now()
    if (await watchOnce(client, agentId, { namespace, name, resourceVersion }, signal) === 'ready') return
    earlyEnds = Date.now() - opened < EARLY_END_MS ? earlyEnds + 1 : 0
    if (earlyEnds > 1) await sleep(backoffDelay(earlyEnds - 2, REWATCH_BASE_MS, REWATCH_CAP_MS), signal)
  }
}

/** 'ready' or 'waking', exactly as status() reads the Deployment; throws when it failed or is not waking. */
function judge(agentId: string, deployment: V1Deployment | undefined): 'ready' | 'waking' {
  const status = statusFromDeployment(agentId, deployment)
  if (status.ready) return 'ready'
  if (status.state === 'failed') throw new AgentNotReadyError(agentId, `failed: ${status.message ?? 'no message'}`)
  if (status.state === 'cold') throw new AgentNotReadyError(agentId, deployment ? 'is not waking: its Deployment wants 0 replicas' : 'is not waking: it has no Deployment')
  return 'waking'
}

interface WatchTarget {
  namespace: string
  name: string
  resourceVersion: string
}

/** One watch: 'ready', or 'ended' when it ended without a verdict and the caller should list again. */
function watchOnce(client: KubeClient, agentId: string, target: WatchTarget, signal: AbortSignal): Promise<'ready' | 'ended'> {
  const what = `watch Deployment ${target.namespace}/${target.name}`
  return new Promise((resolve, reject) => {
    let controller: AbortController | undefined
    let settled = false
    const settle = (outcome: () => void): void => {
      if (settled) return
      settled = true
      signal.removeEventListener('abort', onAbort)
      controller?.abort()
      outcome()
    }
    const onAbort = () => settle(() => reject(signal.reason))
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })

    client.watchDeployment(target.namespace, target.name, target.resourceVersion, {
      onEvent(type, object) {
        // ERROR carries a Status: 410 Expired (the version was compacted away) or a server-side failure.
        if (type === 'ERROR') return settle(() => resolve('ended'))
        if (type === 'DELETED') return settle(() => reject(new AgentNotReadyError(agentId, 'is not waking: its Deployment was deleted')))
        if (type !== 'ADDED' && type !== 'MODIFIED') return
        try {
          if (judge(agentId, object) === 'ready') settle(() => resolve('ready'))
        } catch (err) {
          settle(() => reject(err))
        }
      },
      onEnd(err) {
        // Any other HTTP answer (403, 404, 405…) will not change by watching again at once.
        if (err instanceof ApiException && err.code !== 410) settle(() => reject(new WatchRefusedError(what, err)))
        else settle(() => resolve('ended'))
      },
    }).then((opened) => {
      controller = opened
      // Settled (aborted) while the request was being answered: end it now.
      if (settled) opened.abort()
    }, (err: unknown) => settle(() => reject(new KubernetesApiError(what, err))))
  })
}

/** `promise`, or a rejection with signal.reason as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) {
      promise.catch(() => undefined)
      return onAbort()
    }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
