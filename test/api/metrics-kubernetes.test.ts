// The wake metrics with a driver that reports no starts of its own (kubernetes, against the fake Kubernetes API): the
// cluster-api times each wake from its call to the moment the driver tells the agent ready, warm_pool "none".

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKubernetesDriver } from '../../cluster-api/src/drivers/kubernetes/index.ts'
import { INTERNAL_PATHS, type WorkloadStatus } from '../../wire/internal-api.ts'
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api/index.ts'
import { createTestDatabase } from '../support/db.ts'
import { waitFor } from '../local-driver/support.ts'
import { createOwner, createTestAgent, startTestApi, type TestApi } from './support/harness.ts'

let kube: FakeKubeApi
let api: TestApi

beforeAll(async () => {
  // Pods become ready only when the test says so, as a slow image pull would have it.
  kube = await startFakeKubeApi({ deploymentsBecomeReady: false })
  api = await startTestApi({
    databaseUrl: await createTestDatabase('metrics_kubernetes'),
    // The agent never runs here, so its database is never opened: any URL will do.
    tenantDatabases: (database) => ({ name: 'postgres', provision: async () => database.url, drop: async () => {} }),
    driver: ({ url }) => createKubernetesDriver({ kubeConfig: kube.kubeConfig(), platformUrl: url, reconcileIntervalMs: 0 }),
  })
}, 60_000)

afterAll(async () => {
  await api?.close()
  await kube?.close()
})

const scrape = async () => (await fetch(`${api.url}/metrics`)).text()
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('wake metrics without driver start reports', () => {
  it('times a kubernetes wake from the call to the pod being ready', async () => {
    const owner = await createOwner(api, 'metrics-kube')
    const agent = await createTestAgent(api, owner.token, 'kube-ada')
    const wake = await api.internal('POST', INTERNAL_PATHS.wake(agent.id))
    expect(wake.status).toBe(202)
    expect(((await wake.json()) as WorkloadStatus).ready).toBe(false)
    expect(sample(await scrape(), 'myintell_wake_duration_seconds_count{driver="kubernetes",warm_pool="none"}')).toBeUndefined()

    kube.setDeploymentStatus('t-metrics-kube-tenant', 'agent-kube-ada', { replicas: 1, readyReplicas: 1, availableReplicas: 1 })
    await waitFor('the wake to be timed', async () => sample(await scrape(), 'myintell_wake_duration_seconds_count{driver="kubernetes",warm_pool="none"}') === 1, 15_000, 100)
    const text = await scrape()
    expect(sample(text, 'myintell_wakes_total{driver="kubernetes"}')).toBe(1)
    expect(sample(text, 'myintell_agent_starts_total{driver="kubernetes",warm_pool="none"}')).toBe(1)
    expect(sample(text, 'myintell_wake_duration_seconds_sum{driver="kubernetes",warm_pool="none"}')).toBeGreaterThan(0)
  })
})
