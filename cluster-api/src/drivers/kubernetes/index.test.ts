// The kubernetes driver against the fake Kubernetes API (test/fakes/kube-api) through the real client-node.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startFakeKubeApi, type FakeKubeApi } from '../../../../test/fakes/kube-api/index.ts'
import { silentLogger } from '../../../../wire/logger.ts'
import type { AgentSpec } from '../types.ts'
import { createKubernetesDriver, type KubernetesDriver, type KubernetesDriverOptions } from './index.ts'

const AGENT_KEY = 'a'.repeat(64)
const PLATFORM_URL = 'http://cluster-api.myintell-system.svc:8788'

function agentSpec(overrides: Partial<AgentSpec> = {}): AgentSpec {
  return {
    agentId: '0b8f8f0e-1111-4222-8333-444455556666',
    slug: 'ada',
    tenantId: 'ten_1',
    tenantSlug: 'acme',
    name: 'Ada',
    persona: { systemPrompt: 'You are Ada.', style: 'warm' },
    model: { provider: 'anthropic', model: 'claude-test' },
    visibility: 'private',
    tenantDatabaseUrl: 'postgres://acme:pw@db.example/acme',
    signingKey: AGENT_KEY,
    secrets: { ANTHROPIC_API_KEY: 'sk-test' },
    ...overrides,
  }
}

const secondAgent = () => agentSpec({ agentId: '0b8f8f0e-2222-4222-8333-444455556666', slug: 'bob', name: 'Bob' })

let fake: FakeKubeApi
let driver: KubernetesDriver | undefined

async function startDriver(options: Partial<KubernetesDriverOptions> = {}): Promise<KubernetesDriver> {
  driver = await createKubernetesDriver({
    kubeConfig: fake.kubeConfig(),
    platformUrl: PLATFORM_URL,
    reconcileIntervalMs: 0,
    retryBaseMs: 20,
    ...options,
  })
  return driver
}

function objectsIn(namespace: string): string[] {
  return fake.store.all()
    .filter((o) => (o.metadata as { namespace?: string }).namespace === namespace)
    .map((o) => `${o.kind as string}/${(o.metadata as { name: string }).name}`)
    .sort()
}

function find(apiVersion: string, kind: string, name: string, namespace = 't-acme'): any {
  return fake.find(apiVersion, kind, namespace, name)
}

beforeEach(async () => {
  fake = await startFakeKubeApi()
})

afterEach(async () => {
  await driver?.close()
  driver = undefined
  await fake.close()
})

describe('kubernetes driver: creating an agent', () => {
  it('creates exactly the tenant namespace objects and the agent objects', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())

    expect(fake.store.all().filter((o) => o.kind === 'Namespace').map((o) => (o.metadata as { name: string }).name)).toEqual(['t-acme'])
    expect(objectsIn('t-acme')).toEqual([
      'Deployment/agent-ada',
      'IngressRoute/agent-ada',
      'LimitRange/tenant-limits',
      'NetworkPolicy/ingress-controller-only',
      'PersistentVolumeClaim/workspace-ada',
      'ResourceQuota/tenant-quota',
      'ScaledObject/agent-ada',
      'Secret/agent-ada',
      'Secret/tenant-credentials',
      'Service/agent-ada',
    ])
    const namespace = fake.find('v1', 'Namespace', undefined, 't-acme') as any
    expect(namespace.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'myintell', 'myintell.ai/tenant-id': 'ten_1', 'myintell.ai/tenant-slug': 'acme' })
  })

  it('creates the Deployment asleep with probes, limits, a non-root read-only pod and the workspace volume', async () => {
    const d = await startDriver({ image: 'ghcr.io/myintell/agent:1.2.3' })
    await d.ensure(agentSpec())
    const deployment = find('apps/v1', 'Deployment', 'agent-ada')
    expect(deployment.spec.replicas).toBe(0)
    const pod = deployment.spec.template.spec
    const [container] = pod.containers
    expect(container.image).toBe('ghcr.io/myintell/agent:1.2.3')
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' })
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' })
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } })
    expect(pod.securityContext.runAsNonRoot).toBe(true)
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false })
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'workspace', mountPath: '/workspace' }])
    expect(pod.volumes).toContainEqual({ name: 'workspace', persistentVolumeClaim: { claimName: 'workspace-ada' } })
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]))
    expect(env).toEqual({
      PORT: '8080',
      HOST: '0.0.0.0',
      MYINTELL_PLATFORM_URL: PLATFORM_URL,
      MYINTELL_AGENT_CONFIG: { secretKeyRef: { name: 'agent-ada', key: 'config' } },
      MYINTELL_WORKSPACE_DIR: '/workspace',
    })
    // The pod holds its own agent's key and secrets (inside the spec), and no other secret of the platform.
    const secret = find('v1', 'Secret', 'agent-ada')
    expect(Object.keys(secret.data)).toEqual(['config'])
    expect(JSON.parse(Buffer.from(secret.data.config, 'base64').toString())).toEqual({ ...agentSpec(), workspaceDir: '/workspace' })
  })

  it('puts the agent\'s own secrets, tools and MCP servers into its Secret, and the platform\'s runtime env into the pod', async () => {
    const d = await startDriver({ runtimeEnv: { MYINTELL_EGRESS_ALLOW: '10.0.0.0/8' } })
    const spec = agentSpec({
      secrets: { ANTHROPIC_API_KEY: 'sk-test', MCP_TOKEN: 'ada-only' },
      tools: ['memory', 'http_fetch'],
      mcpServers: [{ name: 'gh', url: 'https://mcp.example.test/', headers: { authorization: 'MCP_TOKEN' } }],
    })
    await d.ensure(spec)
    await d.ensure(secondAgent())
    const config = (name: string) => JSON.parse(Buffer.from(find('v1', 'Secret', name).data.config, 'base64').toString())
    expect(config('agent-ada')).toMatchObject({ secrets: { MCP_TOKEN: 'ada-only' }, tools: ['memory', 'http_fetch'], mcpServers: spec.mcpServers })
    expect(JSON.stringify(config('agent-bob'))).not.toContain('ada-only')
    const [container] = find('apps/v1', 'Deployment', 'agent-ada').spec.template.spec.containers
    expect(container.env).toContainEqual({ name: 'MYINTELL_EGRESS_ALLOW', value: '10.0.0.0/8' })
    // A changed secret changes the pod template, so the Deployment rolls and the pod reads the new Secret.
    const before = find('apps/v1', 'Deployment', 'agent-ada').spec.template.metadata.annotations
    await d.ensure({ ...spec, secrets: { ...spec.secrets, MCP_TOKEN: 'rotated' } })
    expect(find('apps/v1', 'Deployment', 'agent-ada').spec.template.metadata.annotations).not.toEqual(before)
  })

  it('routes X-Tenant-Host to the agent and lets KEDA scale it from zero on the platform metric', async () => {
    const d = await startDriver()
    const spec = agentSpec()
    await d.ensure(spec)
    const route = find('traefik.io/v1alpha1', 'IngressRoute', 'agent-ada')
    expect(route.spec.routes).toEqual([{ kind: 'Rule', match: 'Header(`X-Tenant-Host`, `ada`)', services: [{ name: 'agent-ada', port: 80 }] }])
    const scaled = find('keda.sh/v1alpha1', 'ScaledObject', 'agent-ada')
    expect(scaled.spec).toMatchObject({ scaleTargetRef: { name: 'agent-ada' }, minReplicaCount: 0, maxReplicaCount: 3, cooldownPeriod: 300 })
    expect(scaled.spec.triggers).toEqual([{
      type: 'metrics-api',
      metadata: {
        url: `${PLATFORM_URL}/internal/v1/scaling/agents/${spec.agentId}`,
        format: 'json', valueLocation: 'active', targetValue: '1', activationTargetValue: '0', authMode: 'bearer',
      },
      authenticationRef: { name: 'myintell-scaler', kind: 'ClusterTriggerAuthentication' },
    }])
    const policy = find('networking.k8s.io/v1', 'NetworkPolicy', 'ingress-controller-only')
    expect(policy.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] }],
    })
  })

  it('writes with server-side apply under the one field manager "myintell"', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    const writes = fake.requests.filter((r) => r.method !== 'GET')
    const applies = writes.filter((r) => r.method === 'PATCH')
    expect(applies.length).toBe(11)
    for (const r of applies) expect(r).toMatchObject({ contentType: 'application/apply-patch+yaml', query: { fieldManager: 'myintell', force: 'true' } })
    // The only other write: the Deployment created asleep (replicas 0) before it is applied without replicas.
    expect(writes.filter((r) => r.method !== 'PATCH').map((r) => `${r.method} ${r.path}`)).toEqual(['POST /apis/apps/v1/namespaces/t-acme/deployments'])
    const managers = new Set(fake.store.all().flatMap((o) => ((o.metadata as any).managedFields ?? []).map((m: any) => m.manager)))
    expect(managers).toEqual(new Set(['myintell']))
  })

  it('sends nothing when an unchanged agent is ensured again', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    const before = fake.requests.length
    await d.ensure(agentSpec())
    expect(fake.requests.length).toBe(before)
  })

  it('refuses an object that fails kubernetes-models validation before sending anything', async () => {
    const d = await startDriver({ image: 42 as unknown as string })
    await expect(d.ensure(agentSpec())).rejects.toThrow(/validation/)
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([])
  })
})

describe('kubernetes driver: changing and deleting', () => {
  it('changes the Deployment when the persona changes, so the pods roll', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    const before = find('apps/v1', 'Deployment', 'agent-ada')
    await d.ensure(agentSpec({ persona: { systemPrompt: 'You are Ada, now terse.', style: 'terse' } }))
    const after = find('apps/v1', 'Deployment', 'agent-ada')
    expect(after.metadata.generation).toBe(before.metadata.generation + 1)
    expect(after.spec.template.metadata.annotations['myintell.ai/config-hash']).not.toBe(before.spec.template.metadata.annotations['myintell.ai/config-hash'])
    const secret = find('v1', 'Secret', 'agent-ada')
    expect(JSON.parse(Buffer.from(secret.data.config, 'base64').toString()).persona.style).toBe('terse')
  })

  it('keeps the replicas a wake set when the agent is re-applied', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    await d.wake(agentSpec().agentId)
    await d.ensure(agentSpec({ name: 'Ada Lovelace' }))
    await d.reconcileNow()
    expect(find('apps/v1', 'Deployment', 'agent-ada').spec.replicas).toBe(1)
  })

  it('removes every object of a deleted agent, and the tenant namespace with its last agent', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    await d.ensure(secondAgent())
    await d.remove(agentSpec().agentId)
    expect(objectsIn('t-acme').filter((n) => n.endsWith('-ada'))).toEqual([])
    expect(objectsIn('t-acme')).toContain('Deployment/agent-bob')
    await d.remove(secondAgent().agentId)
    expect(fake.store.all()).toEqual([])
  })

  it('treats a 404 on delete as done', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    expect((await fetch(`${fake.url}/api/v1/namespaces/t-acme`, { method: 'DELETE' })).status).toBe(200)
    await expect(d.remove(agentSpec().agentId)).resolves.toBeUndefined()
    expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => `${r.path} ${r.status}`)).toEqual(['/api/v1/namespaces/t-acme 200', '/api/v1/namespaces/t-acme 404'])
  })

  it('treats removing an agent that does not exist as done', async () => {
    const d = await startDriver()
    await expect(d.remove('no-such-agent')).resolves.toBeUndefined()
  })
})

describe('kubernetes driver: reconcile', () => {
  it('repairs an object edited behind its back', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    const deploymentPath = '/apis/apps/v1/namespaces/t-acme/deployments/agent-ada'
    const res = await fetch(`${fake.url}${deploymentPath}?fieldManager=intruder`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'evil:latest' }]),
    })
    expect(res.status).toBe(200)
    expect(find('apps/v1', 'Deployment', 'agent-ada').spec.template.spec.containers[0].image).toBe('evil:latest')
    await d.reconcileNow()
    expect(find('apps/v1', 'Deployment', 'agent-ada').spec.template.spec.containers[0].image).toBe('ghcr.io/myintell/agent:latest')
  })

  it('runs the reconcile loop on its own every reconcileIntervalMs', async () => {
    const d = await startDriver({ reconcileIntervalMs: 50 })
    await d.ensure(agentSpec())
    await fetch(`${fake.url}/apis/keda.sh/v1alpha1/namespaces/t-acme/scaledobjects/agent-ada`, { method: 'DELETE' })
    expect(find('keda.sh/v1alpha1', 'ScaledObject', 'agent-ada')).toBeUndefined()
    await vi.waitFor(() => expect(find('keda.sh/v1alpha1', 'ScaledObject', 'agent-ada')).toBeDefined(), { timeout: 10_000, interval: 25 })
  })

  it('recreates objects deleted behind its back, the Deployment asleep', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    for (const path of ['/apis/traefik.io/v1alpha1/namespaces/t-acme/ingressroutes/agent-ada', '/apis/apps/v1/namespaces/t-acme/deployments/agent-ada']) {
      expect((await fetch(`${fake.url}${path}`, { method: 'DELETE' })).status).toBe(200)
    }
    const report = await d.reconcileNow()
    expect(report.applied).toEqual([agentSpec().agentId])
    expect(find('traefik.io/v1alpha1', 'IngressRoute', 'agent-ada')).toBeDefined()
    expect(find('apps/v1', 'Deployment', 'agent-ada').spec.replicas).toBe(0)
  })

  it('removes orphans: objects labelled as ours whose agent is no longer desired', async () => {
    const d = await startDriver({ removeOrphans: true })
    await d.ensure(agentSpec())
    const orphanSpec = agentSpec({ agentId: 'gone', slug: 'gone', tenantId: 'ten_2', tenantSlug: 'oldco' })
    // Another driver instance (an earlier cluster-api) created it; this one never heard of it.
    const other = await createKubernetesDriver({ kubeConfig: fake.kubeConfig(), platformUrl: PLATFORM_URL, reconcileIntervalMs: 0 })
    await other.ensure(orphanSpec)
    await other.close()
    expect(objectsIn('t-oldco')).toContain('Deployment/agent-gone')

    const report = await d.reconcileNow()
    expect(report.removed).toContain('Deployment t-oldco/agent-gone')
    expect(report.removed).toContain('Namespace t-oldco')
    expect(objectsIn('t-oldco')).toEqual([])
    expect(objectsIn('t-acme')).toContain('Deployment/agent-ada')
  })

  it('leaves unknown agents alone when orphan removal is off (the default without desiredAgents)', async () => {
    const other = await createKubernetesDriver({ kubeConfig: fake.kubeConfig(), platformUrl: PLATFORM_URL, reconcileIntervalMs: 0 })
    await other.ensure(agentSpec())
    await other.close()
    const d = await startDriver()
    await d.reconcileNow()
    expect(objectsIn('t-acme')).toContain('Deployment/agent-ada')
  })

  it('takes the desired set from desiredAgents and removes what it no longer lists', async () => {
    let desired = [agentSpec(), secondAgent()]
    const d = await startDriver({ desiredAgents: async () => desired })
    await d.reconcileNow()
    expect(objectsIn('t-acme')).toContain('Deployment/agent-bob')
    desired = [agentSpec()]
    await d.reconcileNow()
    expect(objectsIn('t-acme').filter((n) => n.endsWith('-bob'))).toEqual([])
    expect(objectsIn('t-acme')).toContain('Deployment/agent-ada')
  })

  it('recovers after the API server was down, losing nothing asked for meanwhile', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    await fake.stop()
    await expect(d.ensure(secondAgent())).resolves.toBeUndefined()
    await expect(d.remove(agentSpec().agentId)).resolves.toBeUndefined()
    await expect(d.status(secondAgent().agentId)).rejects.toThrow()
    await expect(d.reconcileNow()).rejects.toThrow()
    await fake.start()
    // The background retry (backoff from 20 ms) re-applies the desired state on its own.
    await vi.waitFor(() => {
      expect(objectsIn('t-acme')).toContain('Deployment/agent-bob')
      expect(objectsIn('t-acme').filter((n) => n.endsWith('-ada'))).toEqual([])
    }, { timeout: 10_000, interval: 50 })
    expect((await d.status(secondAgent().agentId)).state).toBe('cold')
  })

  it('deletes the tenant namespace of an agent removed during an outage once the server is back', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    await fake.stop()
    await d.remove(agentSpec().agentId)
    await fake.start()
    await vi.waitFor(() => expect(fake.store.all()).toEqual([]), { timeout: 10_000, interval: 50 })
  })

  it('retries a 409 conflict until the write goes through', async () => {
    const d = await startDriver()
    fake.injectFailure({ method: 'PATCH', path: /\/deployments\/agent-ada$/, reason: 'Conflict', times: 2 })
    await d.ensure(agentSpec())
    const deploymentPatches = fake.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/agent-ada'))
    expect(deploymentPatches.map((r) => r.status)).toEqual([409, 409, 200])
    expect(find('apps/v1', 'Deployment', 'agent-ada')).toBeDefined()
  })
})

describe('kubernetes driver: wake and status', () => {
  it('wakes an agent by patching the Deployment /scale to 1 at once', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    expect((await d.status(agentSpec().agentId)).state).toBe('cold')
    const before = fake.requests.length
    const status = await d.wake(agentSpec().agentId)
    const writes = fake.requests.slice(before).filter((r) => r.method !== 'GET')
    expect(writes).toHaveLength(1)
    expect(writes[0]).toMatchObject({ method: 'PATCH', path: '/apis/apps/v1/namespaces/t-acme/deployments/agent-ada/scale', contentType: 'application/merge-patch+json', status: 200 })
    expect(find('apps/v1', 'Deployment', 'agent-ada').spec.replicas).toBe(1)
    expect(status).toEqual({ agentId: agentSpec().agentId, state: 'ready', ready: true, replicas: 1 })
  })

  it('reports waking until the pod is ready', async () => {
    await fake.close()
    fake = await startFakeKubeApi({ deploymentsBecomeReady: false })
    const d = await startDriver()
    await d.ensure(agentSpec())
    expect(await d.wake(agentSpec().agentId)).toEqual({ agentId: agentSpec().agentId, state: 'waking', ready: false, replicas: 1 })
  })

  it('never scales down an agent KEDA already scaled up', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    await fetch(`${fake.url}/apis/apps/v1/namespaces/t-acme/deployments/agent-ada/scale?fieldManager=keda`, {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { replicas: 3 } }),
    })
    expect((await d.wake(agentSpec().agentId)).replicas).toBe(3)
  })

  it('wakes an agent whose Deployment was deleted behind its back by re-applying first', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    await fetch(`${fake.url}/apis/apps/v1/namespaces/t-acme/deployments/agent-ada`, { method: 'DELETE' })
    expect((await d.wake(agentSpec().agentId)).state).toBe('ready')
  })

  it('lists the status of every agent and finds agents by label after a restart', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    await d.ensure(secondAgent())
    await d.wake(secondAgent().agentId)
    await d.close()
    driver = undefined
    const restarted = await startDriver()
    const states = Object.fromEntries((await restarted.list()).map((s) => [s.agentId, s.state]))
    expect(states).toEqual({ [agentSpec().agentId]: 'cold', [secondAgent().agentId]: 'ready' })
    expect((await restarted.status(secondAgent().agentId)).ready).toBe(true)
  })

  it('refuses to wake an agent it was never asked to ensure', async () => {
    const d = await startDriver()
    await expect(d.wake('unknown')).rejects.toThrow(/unknown agent/)
  })
})

describe('kubernetes driver: telling state changes', () => {
  const agentId = agentSpec().agentId
  const SCALE = '/apis/apps/v1/namespaces/t-acme/deployments/agent-ada/scale'

  /** Scales the Deployment as KEDA does (a merge patch of /scale under its own field manager). */
  const kedaScales = (replicas: number) => fetch(`${fake.url}${SCALE}?fieldManager=keda`, {
    method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { replicas } }),
  })

  async function watched(): Promise<{ d: KubernetesDriver; told: string[] }> {
    const d = await startDriver()
    const told: string[] = []
    d.watchStates((status) => told.push(`${status.agentId === agentId ? 'ada' : status.agentId}:${status.state}`))
    return { d, told }
  }

  it('tells an agent cold when KEDA scales its Deployment to zero, and ready when it is scaled up and ready', async () => {
    const { d, told } = await watched()
    await d.ensure(agentSpec())
    await vi.waitFor(() => expect(told).toEqual(['ada:cold']), { timeout: 10_000 })
    await d.wake(agentId)
    await vi.waitFor(() => expect(told).toEqual(['ada:cold', 'ada:ready']), { timeout: 10_000 })
    expect((await kedaScales(0)).status).toBe(200)
    await vi.waitFor(() => expect(told).toEqual(['ada:cold', 'ada:ready', 'ada:cold']), { timeout: 10_000 })
  })

  it('tells waking when the pod stops being ready (a crash), and cold when the Deployment is deleted', async () => {
    const { d, told } = await watched()
    await d.ensure(agentSpec())
    await d.wake(agentId)
    await vi.waitFor(() => expect(told.at(-1)).toBe('ada:ready'), { timeout: 10_000 })
    fake.setDeploymentStatus('t-acme', 'agent-ada', { readyReplicas: 0, availableReplicas: 0 })
    await vi.waitFor(() => expect(told.at(-1)).toBe('ada:waking'), { timeout: 10_000 })
    await fetch(`${fake.url}/apis/apps/v1/namespaces/t-acme/deployments/agent-ada`, { method: 'DELETE' })
    await vi.waitFor(() => expect(told.at(-1)).toBe('ada:cold'), { timeout: 10_000 })
  })

  it('lists again when its watch ends, telling what changed while no watch was open, once', async () => {
    const { d, told } = await watched()
    await d.ensure(agentSpec())
    await d.wake(agentId)
    await vi.waitFor(() => expect(told.at(-1)).toBe('ada:ready'), { timeout: 10_000 })
    // A change compacted out of the history while the watch is gone: only a new list can see it.
    fake.injectFailure({ method: 'GET', path: /^\/apis\/apps\/v1\/deployments$/, reason: 'Expired', times: 1, watch: true })
    fake.closeWatches()
    await kedaScales(0)
    await vi.waitFor(() => expect(told.at(-1)).toBe('ada:cold'), { timeout: 10_000 })
    expect(told.filter((t) => t === 'ada:cold')).toHaveLength(2) // the first, before the wake, and this one
    await vi.waitFor(() => expect(fake.openWatches).toBe(1), { timeout: 10_000 })
  })

  it('opens one watch for every agent, and none once closed', async () => {
    const { d, told } = await watched()
    d.watchStates(() => undefined)
    await d.ensure(agentSpec())
    await d.ensure(secondAgent())
    await vi.waitFor(() => expect([...told].sort()).toEqual(['0b8f8f0e-2222-4222-8333-444455556666:cold', 'ada:cold']), { timeout: 10_000 })
    expect(fake.openWatches).toBe(1)
    await d.close()
    driver = undefined
    await vi.waitFor(() => expect(fake.openWatches).toBe(0), { timeout: 10_000 })
  })
})

describe('kubernetes driver: waitUntilReady', () => {
  const DEPLOYMENTS = '/apis/apps/v1/namespaces/t-acme/deployments'
  const agentId = agentSpec().agentId

  /** An agent woken on a cluster whose pods stay unready until the test says so. */
  async function wakingAgent(options: Partial<KubernetesDriverOptions> = {}): Promise<KubernetesDriver> {
    await fake.close()
    fake = await startFakeKubeApi({ deploymentsBecomeReady: false })
    const d = await startDriver(options)
    await d.ensure(agentSpec())
    expect((await d.wake(agentId)).state).toBe('waking')
    return d
  }

  const markReady = () => fake.setDeploymentStatus('t-acme', 'agent-ada', { readyReplicas: 1, availableReplicas: 1, unavailableReplicas: null })
  const requestsSince = (index: number) => fake.requests.slice(index).map((r) => `${r.method} ${r.path}${r.query.watch ? ' watch' : ''}`)
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  const list = `GET ${DEPLOYMENTS}`
  const watch = `GET ${DEPLOYMENTS} watch`

  it('announces readiness the moment a replica is ready, from one list and one watch, without polling', async () => {
    const d = await wakingAgent()
    const resourceVersion = String(fake.store.currentRevision)
    const before = fake.requests.length
    let announced = false
    const waiting = d.waitUntilReady(agentId, AbortSignal.timeout(10_000)).then(() => { announced = true })
    await vi.waitFor(() => expect(fake.openWatches).toBe(1), { timeout: 10_000 })
    // Long enough for a poller asking every 100 ms to have asked a few times: this one must not have.
    await sleep(300)
    expect(announced).toBe(false)
    markReady()
    await waiting
    expect(requestsSince(before)).toEqual([list, watch])
    expect(fake.requests.at(-2)?.query).toMatchObject({ fieldSelector: 'metadata.name=agent-ada' })
    // Watched from the list's version: a change between the list and the watch is replayed, not missed.
    expect(fake.requests.at(-1)?.query).toMatchObject({ fieldSelector: 'metadata.name=agent-ada', resourceVersion })
    await vi.waitFor(() => expect(fake.openWatches).toBe(0), { timeout: 10_000 })
    expect((await d.status(agentId)).state).toBe('ready')
  })

  it('resolves from the list alone when the agent is already ready', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    await d.wake(agentId)
    const before = fake.requests.length
    await d.waitUntilReady(agentId, AbortSignal.timeout(10_000))
    expect(requestsSince(before)).toEqual([list])
  })

  it('rejects for an agent that is not waking: asleep, or without a Deployment, and opens no watch', async () => {
    const d = await startDriver()
    await d.ensure(agentSpec())
    await expect(d.waitUntilReady(agentId, AbortSignal.timeout(10_000))).rejects.toThrow(/is not waking: its Deployment wants 0 replicas/)
    await expect(d.waitUntilReady('no-such-agent', AbortSignal.timeout(10_000))).rejects.toThrow(/is not waking: it has no Deployment/)
    expect(fake.requests.filter((r) => r.query.watch)).toEqual([])
  })

  it('rejects when the Deployment fails while it waits, with the reason status() gives', async () => {
    const d = await wakingAgent()
    const waiting = d.waitUntilReady(agentId, AbortSignal.timeout(10_000))
    await vi.waitFor(() => expect(fake.openWatches).toBe(1), { timeout: 10_000 })
    fake.setDeploymentStatus('t-acme', 'agent-ada', { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' }] })
    await expect(waiting).rejects.toThrow(/failed: FailedCreate: exceeded quota/)
    expect((await d.status(agentId)).message).toBe('FailedCreate: exceeded quota')
    await vi.waitFor(() => expect(fake.openWatches).toBe(0), { timeout: 10_000 })
  })

  it('rejects when the agent is scaled to zero or its Deployment is deleted while it waits', async () => {
    const d = await wakingAgent()
    const scaledDown = d.waitUntilReady(agentId, AbortSignal.timeout(10_000))
    await vi.waitFor(() => expect(fake.openWatches).toBe(1), { timeout: 10_000 })
    await fetch(`${fake.url}${DEPLOYMENTS}/agent-ada/scale?fieldManager=keda`, {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { replicas: 0 } }),
    })
    await expect(scaledDown).rejects.toThrow(/is not waking: its Deployment wants 0 replicas/)

    await d.wake(agentId)
    const deleted = d.waitUntilReady(agentId, AbortSignal.timeout(10_000))
    await vi.waitFor(() => expect(fake.openWatches).toBe(1), { timeout: 10_000 })
    await fetch(`${fake.url}${DEPLOYMENTS}/agent-ada`, { method: 'DELETE' })
    await expect(deleted).rejects.toThrow(/is not waking: its Deployment was deleted/)
    await vi.waitFor(() => expect(fake.openWatches).toBe(0), { timeout: 10_000 })
  })

  it('rejects when the signal aborts and leaves no watch open', async () => {
    const d = await wakingAgent()
    const controller = new AbortController()
    const waiting = d.waitUntilReady(agentId, controller.signal)
    await vi.waitFor(() => expect(fake.openWatches).toBe(1), { timeout: 10_000 })
    controller.abort(new Error('the edge hung up'))
    await expect(waiting).rejects.toThrow('the edge hung up')
    await vi.waitFor(() => expect(fake.openWatches).toBe(0), { timeout: 10_000 })
    const before = fake.requests.length
    await expect(d.waitUntilReady(agentId, AbortSignal.abort(new Error('gone already')))).rejects.toThrow('gone already')
    await sleep(50)
    expect(fake.openWatches).toBe(0)
    expect(fake.requests.slice(before).filter((r) => r.query.watch)).toEqual([])
  })

  it('lists again and watches again when a watch ends early: 410 Expired, or the server closing the stream', async () => {
    const d = await wakingAgent()
    fake.injectFailure({ method: 'GET', path: /\/deployments$/, watch: true, reason: 'Expired', times: 1 })
    const before = fake.requests.length
    const waiting = d.waitUntilReady(agentId, AbortSignal.timeout(10_000))
    await vi.waitFor(() => expect(fake.openWatches).toBe(1), { timeout: 10_000 })
    fake.closeWatches()
    await vi.waitFor(() => expect(fake.requests.slice(before).filter((r) => r.query.watch)).toHaveLength(3), { timeout: 10_000 })
    markReady()
    await waiting
    expect(requestsSince(before)).toEqual([list, watch, list, watch, list, watch])
    await vi.waitFor(() => expect(fake.openWatches).toBe(0), { timeout: 10_000 })
  })

  it('watches from the list\'s version, so a Deployment unchanged for longer than the watch history costs one list and one watch', async () => {
    const d = await wakingAgent()
    const lastChange = find('apps/v1', 'Deployment', 'agent-ada').metadata.resourceVersion
    // A pod stuck Pending: other writes go on, and a compaction drops the history back to the Deployment's last change.
    const unrelated = await fetch(`${fake.url}/api/v1/namespaces/t-acme/configmaps`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated' } }),
    })
    expect(unrelated.status).toBe(201)
    fake.store.compact()
    const before = fake.requests.length
    const waiting = d.waitUntilReady(agentId, AbortSignal.timeout(10_000))
    await vi.waitFor(() => expect(requestsSince(before)).toContain(watch), { timeout: 10_000 })
    // Long enough for a driver that watches from an expired version to have listed, been refused and retried.
    await sleep(300)
    expect(fake.openWatches).toBe(1)
    expect(fake.requests.slice(before).filter((r) => r.query.watch)).toHaveLength(1)
    expect(requestsSince(before)).toEqual([list, watch])
    expect(fake.requests.at(-1)?.query.resourceVersion).not.toBe(lastChange)
    markReady()
    await waiting
    // Announced by the open watch's event, not by a later list after a backoff.
    expect(requestsSince(before)).toEqual([list, watch])
  })

  it('stops backing off between re-watches the moment the wait is aborted, and leaves no timer behind', async () => {
    const d = await wakingAgent()
    fake.injectFailure({ method: 'GET', path: /\/deployments$/, watch: true, reason: 'Expired', times: 100 })
    // Every backoff at its ceiling (50, 100, 200, 400 ms…), so the 400 ms one is the driver's and still pending when aborted.
    const random = vi.spyOn(Math, 'random').mockReturnValue(1)
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const clearTimeoutSpy = vi.spyOn(globalThis, 'clearTimeout')
    try {
      const controller = new AbortController()
      const waiting = d.waitUntilReady(agentId, controller.signal)
      const backoffTimer = () => setTimeoutSpy.mock.results[setTimeoutSpy.mock.calls.findIndex(([, ms]) => ms === 400)]?.value
      await vi.waitFor(() => expect(backoffTimer()).toBeDefined(), { timeout: 10_000 })
      controller.abort(new Error('the edge hung up'))
      await expect(waiting).rejects.toThrow('the edge hung up')
      expect(clearTimeoutSpy).toHaveBeenCalledWith(backoffTimer())
    } finally {
      for (const spy of [random, setTimeoutSpy, clearTimeoutSpy]) spy.mockRestore()
    }
  })

  it('finds the Deployment by label after a restart, and watches it', async () => {
    await wakingAgent()
    await driver?.close()
    const restarted = await startDriver()
    const waiting = restarted.waitUntilReady(agentId, AbortSignal.timeout(10_000))
    await vi.waitFor(() => expect(fake.openWatches).toBe(1), { timeout: 10_000 })
    markReady()
    await waiting
    expect(fake.requests.at(-2)).toMatchObject({ path: '/apis/apps/v1/deployments', query: { labelSelector: expect.stringContaining(agentId) } })
    expect(fake.requests.at(-1)).toMatchObject({ path: DEPLOYMENTS, query: { watch: 'true', fieldSelector: 'metadata.name=agent-ada' } })
  })

  it('after the API server forbids the watch (RBAC), rejects at once for a while, so the long poll just polls', async () => {
    const warn = vi.fn()
    const d = await wakingAgent({ logger: { ...silentLogger, warn } })
    fake.injectFailure({ method: 'GET', path: /\/deployments$/, watch: true, reason: 'Forbidden', times: 1 })
    await expect(d.waitUntilReady(agentId, AbortSignal.timeout(10_000))).rejects.toThrow(/watch Deployment t-acme\/agent-ada failed \(403\)/)
    expect(warn).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/grant `watch` on deployments/))
    const before = fake.requests.length
    await expect(d.waitUntilReady(agentId, AbortSignal.timeout(10_000))).rejects.toThrow(/forbidden/)
    expect(fake.requests.length).toBe(before)
  })

  it('ends every wait, and its watch, when the driver closes', async () => {
    const d = await wakingAgent()
    const waiting = d.waitUntilReady(agentId, AbortSignal.timeout(10_000))
    await vi.waitFor(() => expect(fake.openWatches).toBe(1), { timeout: 10_000 })
    await d.close()
    driver = undefined
    await expect(waiting).rejects.toThrow(/closed/)
    await vi.waitFor(() => expect(fake.openWatches).toBe(0), { timeout: 10_000 })
  })
})
