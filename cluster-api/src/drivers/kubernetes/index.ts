// The `kubernetes` workload driver: per tenant a namespace, per agent Deployment/Service/IngressRoute/ScaledObject/PVC/Secret.
// Applied with server-side apply under one field manager; a reconcile loop repairs drift and removes orphans.
// Readiness is announced from a watch on the agent's Deployment (wait-until-ready.ts), not by polling; every change of an
// agent's state (KEDA scaling it to zero, a pod no longer ready) is told to watchStates listeners (state-watch.ts).

import type { V1Deployment } from '@kubernetes/client-node'
import { checkSlug } from '../../../../wire/slug.ts'
import type { WorkloadStatus } from '../../../../wire/internal-api.ts'
import type { AgentSpec, StateListener, WorkloadDriver } from '../types.ts'
import { agentObjects } from './agent-objects.ts'
import { isTransient, KubernetesApiError } from './api-errors.ts'
import { assertValid, KubeClient } from './kube-client.ts'
import { AGENT_ID_LABEL, agentObjectName, MANAGED_BY, MANAGED_BY_LABEL, tenantNamespace } from './names.ts'
import { resolveOptions, type KubernetesDriverOptions } from './options.ts'
import { Reconciler, type ReconcileReport } from './reconciler.ts'
import { AGENT_DEPLOYMENTS, StateWatch } from './state-watch.ts'
import { tenantObjects } from './tenant-objects.ts'
import { waitUntilDeploymentReady, WatchRefusedError, type ListedDeployment } from './wait-until-ready.ts'
import { coldStatus, statusFromDeployment } from './workload-status.ts'

export type { KubernetesDriverOptions, AgentResources, TenantQuota } from './options.ts'
export type { ReconcileReport } from './reconciler.ts'

/**
 * After the API server forbids the watch (a ClusterRole without `watch` on deployments), waitUntilReady rejects
 * at once for this long (ms) and the status long poll polls as it would without it, instead of paying a read and
 * a refused watch on every round. Then it tries again, in case the role was fixed.
 */
export const WATCH_FORBIDDEN_PAUSE_MS = 5 * 60_000

export interface KubernetesDriver extends WorkloadDriver {
  readonly name: 'kubernetes'
  /** Runs one reconcile pass now (tests, or after a known outage); rejects when the API server is unreachable. */
  reconcileNow(): Promise<ReconcileReport>
  /** Watches the agent's Deployment: see WorkloadDriver.waitUntilReady. close() ends every wait. */
  waitUntilReady(agentId: string, signal: AbortSignal): Promise<void>
  /** One watch on every agent Deployment, opened at the first listener: see WorkloadDriver.watchStates. */
  watchStates(listener: StateListener): () => void
}

export async function createKubernetesDriver(options: KubernetesDriverOptions): Promise<KubernetesDriver> {
  const settings = resolveOptions(options)
  const client = new KubeClient(settings.kubeConfig, settings.fieldManager)
  const reconciler = new Reconciler(client, settings)
  const { logger } = settings
  let closed = false
  /** Aborted by close(): ends the watches of every waitUntilReady still waiting. */
  const closing = new AbortController()
  let watchForbiddenUntil = 0
  const stateListeners = new Set<StateListener>()
  const stateWatch = new StateWatch(client, logger, (status) => {
    for (const listener of [...stateListeners]) {
      try {
        listener(status)
      } catch (err) {
        logger.warn({ err, agentId: status.agentId }, 'kubernetes driver: a workload state listener failed')
      }
    }
  })

  const assertOpen = () => {
    if (closed) throw new Error('kubernetes driver is closed')
  }

  /** An unreachable API server must not lose the intent: keep it, log, and let the loop retry with backoff. */
  const deferIfTransient = (err: unknown, action: string, agentId: string): void => {
    if (!isTransient(err)) throw err
    logger.warn({ err, agentId }, `kubernetes driver: ${action} deferred; the API server is unreachable, retrying with backoff`)
    reconciler.retrySoon()
  }

  const findDeployment = async (agentId: string): Promise<V1Deployment | undefined> => {
    const spec = reconciler.desired.get(agentId)
    if (spec) return client.readDeployment(tenantNamespace(spec.tenantSlug), agentObjectName(spec.slug))
    // Not ensured by this process (e.g. right after a restart): find it by label.
    const [found] = await client.list('apps/v1', 'Deployment', `${MANAGED_BY_LABEL}=${MANAGED_BY},${AGENT_ID_LABEL}=${agentId}`)
    return found as V1Deployment | undefined
  }

  /** The agent's Deployment as a list shows it, with the list's resourceVersion for waitUntilReady's watch. */
  const listDeployment = async (agentId: string): Promise<ListedDeployment> => {
    const spec = reconciler.desired.get(agentId)
    const { items: [deployment], resourceVersion } = spec
      ? await client.listDeployments(tenantNamespace(spec.tenantSlug), { fieldSelector: `metadata.name=${agentObjectName(spec.slug)}` })
      : await client.listDeployments(undefined, { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY},${AGENT_ID_LABEL}=${agentId}` })
    return { deployment, resourceVersion }
  }

  reconciler.start()

  return {
    name: 'kubernetes',

    async ensure(spec: AgentSpec) {
      assertOpen()
      for (const [what, slug] of [['agent slug', spec.slug], ['tenant slug', spec.tenantSlug]] as const) {
        const problem = checkSlug(slug)
        if (problem && problem.rule !== 'reserved') throw new Error(`kubernetes driver: ${what} "${slug}" ${problem.message}`)
      }
      // Build (and so validate) every object before the spec becomes desired: a bad spec fails here, loudly.
      const agent = agentObjects(spec, settings)
      for (const object of [...tenantObjects(spec, settings), ...agent.before, agent.deployment, ...agent.after]) assertValid(object)
      reconciler.desired.set(spec.agentId, spec)
      if (reconciler.isApplied(spec)) return
      try {
        await reconciler.exclusive(() => reconciler.applyAgent(spec))
      } catch (err) {
        deferIfTransient(err, 'ensure', spec.agentId)
      }
    },

    async remove(agentId: string) {
      assertOpen()
      const spec = reconciler.desired.get(agentId)
      reconciler.desired.delete(agentId)
      try {
        await reconciler.exclusive(() => reconciler.removeAgent(agentId, spec))
      } catch (err) {
        reconciler.rememberRemoval(agentId, spec)
        deferIfTransient(err, 'remove', agentId)
      }
    },

    async wake(agentId: string): Promise<WorkloadStatus> {
      assertOpen()
      const spec = reconciler.desired.get(agentId)
      if (!spec) throw new Error(`kubernetes driver: unknown agent ${agentId}; call ensure() first`)
      const namespace = tenantNamespace(spec.tenantSlug)
      const name = agentObjectName(spec.slug)
      const apply = () => reconciler.exclusive(() => reconciler.applyAgent(spec))
      try {
        if (!reconciler.isApplied(spec)) await apply()
        try {
          await client.scaleUpTo(namespace, name, 1)
        } catch (err) {
          // The Deployment is gone (deleted behind our back, or an outage swallowed the ensure): apply, then scale.
          if (!(err instanceof KubernetesApiError && err.failure.code === 404)) throw err
          await apply()
          await client.scaleUpTo(namespace, name, 1)
        }
        return statusFromDeployment(agentId, await client.readDeployment(namespace, name))
      } catch (err) {
        throw err instanceof KubernetesApiError ? err : new KubernetesApiError(`wake ${namespace}/${name}`, err)
      }
    },

    async status(agentId: string): Promise<WorkloadStatus> {
      return statusFromDeployment(agentId, await findDeployment(agentId))
    },

    // Activity lands in the platform DB, which KEDA's metrics-api trigger reads; nothing to send to the cluster.
    async touch() {},

    async list(): Promise<WorkloadStatus[]> {
      const deployments = await client.list('apps/v1', 'Deployment', AGENT_DEPLOYMENTS)
      const byAgent = new Map(deployments.map((d) => [d.metadata?.labels?.[AGENT_ID_LABEL] ?? '', d as V1Deployment]))
      const ids = new Set([...reconciler.desired.keys(), ...byAgent.keys()].filter(Boolean))
      return [...ids].map((id) => (byAgent.has(id) ? statusFromDeployment(id, byAgent.get(id)) : coldStatus(id)))
    },

    async waitUntilReady(agentId: string, signal: AbortSignal): Promise<void> {
      assertOpen()
      if (Date.now() < watchForbiddenUntil) throw new Error('kubernetes driver: watching Deployments is forbidden (RBAC); status is polled instead')
      try {
        await waitUntilDeploymentReady(client, agentId, () => listDeployment(agentId), AbortSignal.any([signal, closing.signal]))
      } catch (err) {
        if (err instanceof WatchRefusedError && err.failure.code === 403) {
          watchForbiddenUntil = Date.now() + WATCH_FORBIDDEN_PAUSE_MS
          logger.warn({ err, agentId }, 'kubernetes driver: the API server forbids watching Deployments; grant `watch` on deployments to the cluster-api ClusterRole. Status is polled meanwhile')
        }
        throw err
      }
    },

    watchStates(listener: StateListener) {
      assertOpen()
      stateListeners.add(listener)
      stateWatch.start()
      return () => void stateListeners.delete(listener)
    },

    reconcileNow: () => reconciler.pass(),

    async close() {
      closed = true
      closing.abort(new Error('kubernetes driver is closed'))
      await Promise.all([reconciler.close(), stateWatch.close()])
    },
  }
}
