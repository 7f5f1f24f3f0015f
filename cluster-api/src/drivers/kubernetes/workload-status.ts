// A Deployment's status as the platform's WorkloadStatus: cold, waking, ready or failed.

import type { V1Deployment } from '@kubernetes/client-node'
import type { WorkloadStatus } from '../../../../wire/internal-api.ts'

export function coldStatus(agentId: string): WorkloadStatus {
  return { agentId, state: 'cold', ready: false, replicas: 0 }
}

export function statusFromDeployment(agentId: string, deployment: V1Deployment | undefined): WorkloadStatus {
  if (!deployment) return coldStatus(agentId)
  const wanted = deployment.spec?.replicas ?? 0
  const replicas = deployment.status?.replicas ?? 0
  const readyReplicas = deployment.status?.readyReplicas ?? 0
  const conditions = deployment.status?.conditions ?? []
  const replicaFailure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')
  const stalled = conditions.find((c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded')
  const failure = replicaFailure ?? stalled
  if (failure && readyReplicas === 0 && wanted > 0) {
    return { agentId, state: 'failed', ready: false, replicas, message: `${failure.reason ?? failure.type}: ${failure.message ?? 'no message'}` }
  }
  if (readyReplicas > 0) return { agentId, state: 'ready', ready: true, replicas }
  if (wanted > 0) return { agentId, state: 'waking', ready: false, replicas }
  return { agentId, state: 'cold', ready: false, replicas }
}
