// Follows every agent Deployment in the cluster and tells each change of an agent's workload state, so the platform's
// stored state is the cluster's: KEDA scaling a Deployment to zero makes the agent `cold`, a pod that stopped being
// ready `waking`, a deleted Deployment `cold`. List, then watch from the list's resourceVersion; list again whenever
// the watch ends (410 Expired, the server's timeout, a reset), with backoff when that keeps happening at once.

import type { V1Deployment } from '@kubernetes/client-node'
import type { WorkloadState, WorkloadStatus } from '../../../../wire/internal-api.ts'
import { backoffDelay, sleep } from './backoff.ts'
import type { KubeClient } from './kube-client.ts'
import { AGENT_ID_LABEL, COMPONENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL } from './names.ts'
import type { StructuredLogger } from '../../../../wire/logger.ts'
import { coldStatus, statusFromDeployment } from './workload-status.ts'

/** Every agent Deployment the driver made. */
export const AGENT_DEPLOYMENTS = `${MANAGED_BY_LABEL}=${MANAGED_BY},${COMPONENT_LABEL}=agent`
/** A watch that ends sooner than this (ms) after it opened ended early; early ends and failed lists back off. */
const EARLY_END_MS = 1_000
const RETRY_BASE_MS = 100
/** The longest pause before listing again (ms): a state change is told at most this much later after an outage. */
const RETRY_CAP_MS = 10_000

export class StateWatch {
  private readonly client: KubeClient
  private readonly logger: StructuredLogger
  private readonly tell: (status: WorkloadStatus) => void
  /** The state last told per agent: only changes are told. */
  private readonly told = new Map<string, WorkloadState>()
  private readonly closing = new AbortController()
  private running: Promise<void> | null = null
  private watch: AbortController | null = null

  constructor(client: KubeClient, logger: StructuredLogger, tell: (status: WorkloadStatus) => void) {
    this.client = client
    this.logger = logger
    this.tell = tell
  }

  start(): void {
    this.running ??= this.run()
  }

  async close(): Promise<void> {
    this.closing.abort(new Error('state watch closed'))
    this.watch?.abort()
    await this.running
  }

  private observe(agentId: string, status: WorkloadStatus): void {
    if (!agentId || this.told.get(agentId) === status.state) return
    this.told.set(agentId, status.state)
    this.tell(status)
  }

  private observeDeployment(deployment: V1Deployment, deleted = false): void {
    const agentId = deployment.metadata?.labels?.[AGENT_ID_LABEL] ?? ''
    this.observe(agentId, deleted ? coldStatus(agentId) : statusFromDeployment(agentId, deployment))
    if (deleted) this.told.delete(agentId)
  }

  private async run(): Promise<void> {
    let failures = 0
    while (!this.closing.signal.aborted) {
      let resourceVersion: string | undefined
      try {
        const listed = await this.client.listDeployments(undefined, { labelSelector: AGENT_DEPLOYMENTS })
        const present = new Set<string>()
        for (const deployment of listed.items) {
          present.add(deployment.metadata?.labels?.[AGENT_ID_LABEL] ?? '')
          this.observeDeployment(deployment)
        }
        // Deleted while no watch was open: what has no Deployment runs nothing.
        for (const agentId of [...this.told.keys()]) {
          if (!present.has(agentId)) {
            this.observe(agentId, coldStatus(agentId))
            this.told.delete(agentId)
          }
        }
        resourceVersion = listed.resourceVersion
      } catch (err) {
        if (this.closing.signal.aborted) return
        this.logger.warn({ err, failures }, 'kubernetes driver: listing agent Deployments for their states failed; retrying')
      }
      const opened = Date.now()
      if (resourceVersion) await this.watchFrom(resourceVersion)
      failures = resourceVersion && Date.now() - opened >= EARLY_END_MS ? 0 : failures + 1
      if (failures > 0) {
        try {
          await sleep(backoffDelay(failures - 1, RETRY_BASE_MS, RETRY_CAP_MS), this.closing.signal)
        } catch {
          return
        }
      }
    }
  }

  /** Resolves when the watch ends, however it ends. */
  private watchFrom(resourceVersion: string): Promise<void> {
    return new Promise<void>((resolve) => {
      let ended = false
      const end = () => {
        if (ended) return
        ended = true
        this.watch?.abort()
        this.watch = null
        resolve()
      }
      this.client.watchDeployments(AGENT_DEPLOYMENTS, resourceVersion, {
        onEvent: (type, object) => {
          if (type === 'ADDED' || type === 'MODIFIED') this.observeDeployment(object)
          else if (type === 'DELETED') this.observeDeployment(object, true)
          else if (type === 'ERROR') end() // 410 Expired and the like: list again
        },
        onEnd: end,
      }).then((controller) => {
        if (ended || this.closing.signal.aborted) {
          controller.abort()
          end()
        } else this.watch = controller
      }, end)
    })
  }
}
