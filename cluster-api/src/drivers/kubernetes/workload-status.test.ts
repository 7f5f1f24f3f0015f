// How a Deployment's status reads as a WorkloadStatus.

import { describe, expect, it } from 'vitest'
import type { V1Deployment } from '@kubernetes/client-node'
import { statusFromDeployment } from './workload-status.ts'

function deployment(replicas: number, status: V1Deployment['status'] = {}): V1Deployment {
  return { spec: { replicas, selector: {}, template: {} }, status }
}

describe('statusFromDeployment', () => {
  it('is cold without a Deployment or at zero replicas', () => {
    expect(statusFromDeployment('a', undefined)).toEqual({ agentId: 'a', state: 'cold', ready: false, replicas: 0 })
    expect(statusFromDeployment('a', deployment(0))).toEqual({ agentId: 'a', state: 'cold', ready: false, replicas: 0 })
  })

  it('is waking while a wanted replica is not ready, ready once one is', () => {
    expect(statusFromDeployment('a', deployment(1, { replicas: 1 }))).toEqual({ agentId: 'a', state: 'waking', ready: false, replicas: 1 })
    expect(statusFromDeployment('a', deployment(1, { replicas: 1, readyReplicas: 1 }))).toEqual({ agentId: 'a', state: 'ready', ready: true, replicas: 1 })
  })

  it('is failed with the reason when the rollout stalls or a replica cannot be created', () => {
    const stalled = deployment(1, { replicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' }] })
    expect(statusFromDeployment('a', stalled)).toEqual({ agentId: 'a', state: 'failed', ready: false, replicas: 1, message: 'ProgressDeadlineExceeded: ReplicaSet "x" has timed out progressing.' })
    const quota = deployment(1, { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' }] })
    expect(statusFromDeployment('a', quota)).toMatchObject({ state: 'failed', message: 'FailedCreate: exceeded quota' })
  })

  it('stays ready when an old condition says failed but a replica is ready', () => {
    const recovered = deployment(1, { replicas: 1, readyReplicas: 1, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }] })
    expect(statusFromDeployment('a', recovered).state).toBe('ready')
  })
})
