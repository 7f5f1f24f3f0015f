// Desired state and the reconcile loop. The desired set lives in memory (or comes from desiredAgents) and
// survives API outages: every pass re-applies all of it, repairs drift, and deletes orphans when allowed.

import type { KubernetesObject } from '@kubernetes/client-node'
import type { AgentSpec } from '../types.ts'
import { agentObjects, configHash, createBody } from './agent-objects.ts'
import { isTransient } from './api-errors.ts'
import { backoffDelay } from './backoff.ts'
import type { KubeClient, ObjectRef } from './kube-client.ts'
import { AGENT_ID_LABEL, agentObjectName, MANAGED_BY, MANAGED_BY_LABEL, TENANT_ID_LABEL, tenantNamespace, workspaceClaimName } from './names.ts'
import type { ResolvedOptions } from './options.ts'
import { tenantObjects } from './tenant-objects.ts'

/** Kinds written per agent, in deletion order (the ScaledObject first, so KEDA stops acting on the rest). */
export const AGENT_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' },
  { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'v1', kind: 'Secret' },
]

/** Retries after failures never wait longer than this (ms), even with the periodic loop disabled. */
const MAX_RETRY_DELAY_MS = 30_000

export interface ReconcileReport {
  applied: string[]
  removed: string[]
  failed: { agentId: string; error: string }[]
}

export class Reconciler {
  readonly desired = new Map<string, AgentSpec>()
  /** agentId → config hash last applied successfully; ensure() of an unchanged spec sends nothing. */
  private readonly applied = new Map<string, string>()
  /** Removals that could not reach the API server yet (with the spec, to clean up the tenant namespace). */
  private readonly pendingRemovals = new Map<string, AgentSpec | undefined>()
  private readonly client: KubeClient
  private readonly options: ResolvedOptions
  private queue: Promise<unknown> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  private failures = 0
  private closed = false

  constructor(client: KubeClient, options: ResolvedOptions) {
    this.client = client
    this.options = options
  }

  /** Runs `task` after every task queued before it: applies and deletes never interleave. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }

  isApplied(spec: AgentSpec): boolean {
    return this.applied.get(spec.agentId) === configHash(spec)
  }

  /** Applies the tenant's and the agent's objects. The Deployment is created asleep, then applied without replicas. */
  async applyAgent(spec: AgentSpec): Promise<void> {
    const agent = agentObjects(spec, this.options)
    for (const object of tenantObjects(spec, this.options)) await this.client.apply(object)
    for (const object of agent.before) await this.client.apply(object)
    await this.client.createIfAbsent(agent.deployment, createBody(agent.deployment))
    await this.client.apply(agent.deployment)
    for (const object of agent.after) await this.client.apply(object)
    this.applied.set(spec.agentId, configHash(spec))
  }

  /** Deletes every object labelled with the agent's id, and the tenant namespace once no agent of it is left. */
  async removeAgent(agentId: string, spec: AgentSpec | undefined): Promise<void> {
    for (const { apiVersion, kind } of AGENT_KINDS) {
      const found = await this.client.list(apiVersion, kind, `${MANAGED_BY_LABEL}=${MANAGED_BY},${AGENT_ID_LABEL}=${agentId}`)
      for (const object of found) await this.client.delete(refOf(apiVersion, kind, object))
    }
    this.applied.delete(agentId)
    this.pendingRemovals.delete(agentId)
    if (spec && ![...this.desired.values()].some((s) => s.tenantId === spec.tenantId)) {
      await this.client.delete({ apiVersion: 'v1', kind: 'Namespace', name: tenantNamespace(spec.tenantSlug) })
    }
  }

  rememberRemoval(agentId: string, spec: AgentSpec | undefined): void {
    this.pendingRemovals.set(agentId, spec)
  }

  /** One full pass: pending removals, every desired agent, then orphans. Throws when the API server is unreachable. */
  async pass(): Promise<ReconcileReport> {
    return this.exclusive(async () => {
      const report: ReconcileReport = { applied: [], removed: [], failed: [] }
      if (this.options.desiredAgents) {
        const specs = await this.options.desiredAgents()
        this.desired.clear()
        for (const spec of specs) this.desired.set(spec.agentId, spec)
      }
      let transient: unknown
      for (const [agentId, spec] of [...this.pendingRemovals]) {
        if (this.desired.has(agentId)) {
          // Ensured again since: the removal is void.
          this.pendingRemovals.delete(agentId)
          continue
        }
        try {
          await this.removeAgent(agentId, spec)
          report.removed.push(agentId)
        } catch (err) {
          transient ??= isTransient(err) ? err : undefined
          report.failed.push({ agentId, error: String(err) })
        }
      }
      for (const spec of this.desired.values()) {
        try {
          await this.applyAgent(spec)
          report.applied.push(spec.agentId)
        } catch (err) {
          if (isTransient(err)) transient ??= err
          this.options.logger.error({ err, agentId: spec.agentId }, 'kubernetes driver: reconciling agent failed')
          report.failed.push({ agentId: spec.agentId, error: String(err) })
        }
      }
      if (transient) throw transient
      if (this.options.removeOrphans) report.removed.push(...await this.removeOrphans())
      return report
    })
  }

  /** Our labelled objects whose agent is not desired, or that no longer carry the agent's current names. */
  private async removeOrphans(): Promise<string[]> {
    const removed: string[] = []
    for (const { apiVersion, kind } of AGENT_KINDS) {
      for (const object of await this.client.list(apiVersion, kind, `${MANAGED_BY_LABEL}=${MANAGED_BY},${AGENT_ID_LABEL}`)) {
        const spec = this.desired.get(object.metadata?.labels?.[AGENT_ID_LABEL] ?? '')
        if (spec && expectedNames(spec).has(`${kind}/${object.metadata?.namespace}/${object.metadata?.name}`)) continue
        await this.client.delete(refOf(apiVersion, kind, object))
        removed.push(`${kind} ${object.metadata?.namespace}/${object.metadata?.name}`)
      }
    }
    const tenants = new Set([...this.desired.values()].map((s) => s.tenantId))
    for (const namespace of await this.client.list('v1', 'Namespace', `${MANAGED_BY_LABEL}=${MANAGED_BY},${TENANT_ID_LABEL}`)) {
      if (tenants.has(namespace.metadata?.labels?.[TENANT_ID_LABEL] ?? '')) continue
      await this.client.delete(refOf('v1', 'Namespace', namespace))
      removed.push(`Namespace ${namespace.metadata?.name}`)
    }
    if (removed.length > 0) this.options.logger.info({ removed }, 'kubernetes driver: removed orphaned objects')
    return removed
  }

  /** Starts the periodic loop (if enabled). */
  start(): void {
    if (this.options.reconcileIntervalMs > 0) this.schedule(this.options.reconcileIntervalMs)
  }

  /** After a failed write: try again soon with backoff, whether or not the periodic loop runs. */
  retrySoon(): void {
    if (this.closed) return
    this.schedule(this.retryDelay())
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.queue
  }

  private retryDelay(): number {
    const cap = Math.min(this.options.reconcileIntervalMs || MAX_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS)
    return Math.max(this.options.retryBaseMs / 2, backoffDelay(this.failures, this.options.retryBaseMs, cap))
  }

  private schedule(delayMs: number): void {
    if (this.closed) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.tick(), delayMs)
    this.timer.unref()
  }

  private async tick(): Promise<void> {
    this.timer = undefined
    try {
      await this.pass()
      this.failures = 0
      if (this.options.reconcileIntervalMs > 0) this.schedule(this.options.reconcileIntervalMs)
    } catch (err) {
      this.failures += 1
      this.options.logger.warn({ err, failures: this.failures }, 'kubernetes driver: reconcile pass failed; retrying with backoff')
      this.retrySoon()
    }
  }
}

/** List items carry no apiVersion/kind on a real API server: the caller knows what it listed. */
function refOf(apiVersion: string, kind: string, object: KubernetesObject): ObjectRef {
  return { apiVersion, kind, namespace: object.metadata?.namespace, name: object.metadata?.name ?? '' }
}

function expectedNames(spec: AgentSpec): Set<string> {
  const namespace = tenantNamespace(spec.tenantSlug)
  const name = agentObjectName(spec.slug)
  return new Set([
    ...AGENT_KINDS.filter((k) => k.kind !== 'PersistentVolumeClaim').map((k) => `${k.kind}/${namespace}/${name}`),
    `PersistentVolumeClaim/${namespace}/${workspaceClaimName(spec.slug)}`,
  ])
}
