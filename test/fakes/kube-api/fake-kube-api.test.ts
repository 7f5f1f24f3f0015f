// The fake Kubernetes API through the real @kubernetes/client-node: discovery, verbs, patch types,
// server-side apply bookkeeping, /scale, resourceVersion conflicts, Status bodies, validation, outages, watch.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ApiException, ApisApi, AppsV1Api, CoreV1Api, KubernetesObjectApi, PatchStrategy, setHeaderOptions, VersionApi, Watch,
  type V1Deployment,
} from '@kubernetes/client-node'
import { startFakeKubeApi, type FakeKubeApi } from './index.ts'

let fake: FakeKubeApi
let core: CoreV1Api
let apps: AppsV1Api
let objects: KubernetesObjectApi

beforeEach(async () => {
  fake = await startFakeKubeApi()
  const kc = fake.kubeConfig()
  core = kc.makeApiClient(CoreV1Api)
  apps = kc.makeApiClient(AppsV1Api)
  objects = KubernetesObjectApi.makeApiClient(kc)
})

afterEach(async () => {
  await fake.close()
})

async function failure(call: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await call
  } catch (err) {
    if (!(err instanceof ApiException)) throw err
    return { code: err.code, body: typeof err.body === 'string' ? JSON.parse(err.body) : err.body }
  }
  throw new Error('expected the call to fail')
}

function deployment(name: string, extra: Partial<V1Deployment['spec']> = {}): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'demo', labels: { app: name } },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } },
      ...extra,
    },
  }
}

async function createNamespace(name = 'demo'): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } })
}

describe('fake kube-api: discovery', () => {
  it('answers /version, /api and /apis with the groups the platform uses', async () => {
    const version = await fake.kubeConfig().makeApiClient(VersionApi).getCode()
    expect(version.major).toBe('1')
    const groups = await fake.kubeConfig().makeApiClient(ApisApi).getAPIVersions()
    expect(groups.groups.map((g) => g.name).sort()).toEqual(['apps', 'keda.sh', 'networking.k8s.io', 'traefik.io'])
    const coreResources = await core.getAPIResources()
    expect(coreResources.resources.map((r) => r.name)).toContain('persistentvolumeclaims')
    const appsResources = await apps.getAPIResources()
    expect(appsResources.resources.find((r) => r.name === 'deployments/scale')?.kind).toBe('Scale')
  })
})

describe('fake kube-api: verbs', () => {
  it('creates, gets, lists, replaces and deletes, namespaced and cluster-scoped', async () => {
    await createNamespace()
    await core.createNamespacedConfigMap({ namespace: 'demo', body: { metadata: { name: 'c1', labels: { tier: 'a' } }, data: { k: 'v' } } })
    await core.createNamespacedConfigMap({ namespace: 'demo', body: { metadata: { name: 'c2', labels: { tier: 'b' } }, data: { k: 'v' } } })
    const got = await core.readNamespacedConfigMap({ namespace: 'demo', name: 'c1' })
    expect(got.data).toEqual({ k: 'v' })
    expect(got.metadata?.uid).toBeTruthy()
    const listed = await core.listNamespacedConfigMap({ namespace: 'demo', labelSelector: 'tier=b' })
    expect(listed.items.map((i) => i.metadata?.name)).toEqual(['c2'])
    const replaced = await core.replaceNamespacedConfigMap({ namespace: 'demo', name: 'c1', body: { ...got, data: { k: 'w' } } })
    expect(replaced.data).toEqual({ k: 'w' })
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(got.metadata?.resourceVersion))
    await core.deleteNamespacedConfigMap({ namespace: 'demo', name: 'c1' })
    expect((await core.listConfigMapForAllNamespaces()).items.map((i) => i.metadata?.name)).toEqual(['c2'])
    expect((await core.listNamespace()).items.map((n) => n.metadata?.name)).toEqual(['demo'])
  })

  it('deletes the objects of a namespace with it', async () => {
    await createNamespace()
    await core.createNamespacedConfigMap({ namespace: 'demo', body: { metadata: { name: 'c1' } } })
    await core.deleteNamespace({ name: 'demo' })
    expect(fake.store.all()).toEqual([])
  })

  it('answers Status bodies: NotFound, AlreadyExists, a missing namespace', async () => {
    await createNamespace()
    const missing = await failure(core.readNamespacedConfigMap({ namespace: 'demo', name: 'nope' }))
    expect(missing).toMatchObject({ code: 404, body: { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 } })
    await core.createNamespacedConfigMap({ namespace: 'demo', body: { metadata: { name: 'c1' } } })
    const twice = await failure(core.createNamespacedConfigMap({ namespace: 'demo', body: { metadata: { name: 'c1' } } }))
    expect(twice).toMatchObject({ code: 409, body: { reason: 'AlreadyExists' } })
    const noNamespace = await failure(core.createNamespacedConfigMap({ namespace: 'elsewhere', body: { metadata: { name: 'c1' } } }))
    expect(noNamespace).toMatchObject({ code: 404, body: { reason: 'NotFound', message: 'namespaces "elsewhere" not found' } })
  })

  it('refuses a replace carrying a stale resourceVersion with 409 Conflict', async () => {
    await createNamespace()
    const created = await core.createNamespacedConfigMap({ namespace: 'demo', body: { metadata: { name: 'c1' }, data: { k: '1' } } })
    await core.replaceNamespacedConfigMap({ namespace: 'demo', name: 'c1', body: { ...created, data: { k: '2' } } })
    const stale = await failure(core.replaceNamespacedConfigMap({ namespace: 'demo', name: 'c1', body: { ...created, data: { k: '3' } } }))
    expect(stale).toMatchObject({ code: 409, body: { kind: 'Status', reason: 'Conflict' } })
    expect((await core.readNamespacedConfigMap({ namespace: 'demo', name: 'c1' })).data).toEqual({ k: '2' })
  })

  it('rejects an object that fails kubernetes-models validation with 422 Invalid and stores nothing', async () => {
    await createNamespace()
    const invalid = { ...deployment('web'), spec: { template: {} } } as unknown as V1Deployment
    const res = await fetch(`${fake.url}/apis/apps/v1/namespaces/demo/deployments`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(invalid),
    })
    const result = { code: res.status, body: await res.json() as any }
    expect(result).toMatchObject({ code: 422, body: { kind: 'Status', reason: 'Invalid' } })
    expect(result.body.message).toMatch(/selector/)
    expect(fake.find('apps/v1', 'Deployment', 'demo', 'web')).toBeUndefined()
  })

  it('defaults a Deployment without replicas to 1, as a real API server does', async () => {
    await createNamespace()
    const created = await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment('web') })
    expect(created.spec?.replicas).toBe(1)
  })
})

describe('fake kube-api: patches', () => {
  it('applies a JSON merge patch and a JSON patch', async () => {
    await createNamespace()
    await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment('web', { replicas: 0 }) })
    const merged = await apps.patchNamespacedDeployment(
      { namespace: 'demo', name: 'web', body: { metadata: { labels: { extra: 'yes', app: null } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(merged.metadata?.labels).toEqual({ extra: 'yes' })
    const patched = await apps.patchNamespacedDeployment({
      namespace: 'demo', name: 'web', body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:2' }],
    })
    expect(patched.spec?.template.spec?.containers[0]?.image).toBe('nginx:2')
    expect(patched.metadata?.generation).toBe(2)
  })

  it('server-side apply creates, records the manager, and drops fields the manager stopped sending', async () => {
    await createNamespace()
    const first = deployment('web', { replicas: 0 })
    first.metadata!.annotations = { note: 'hello' }
    await objects.patch(first, undefined, undefined, 'me', true, PatchStrategy.ServerSideApply)
    const applied = await apps.readNamespacedDeployment({ namespace: 'demo', name: 'web' })
    expect(applied.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toEqual([['me', 'Apply']])
    expect((applied.metadata?.managedFields?.[0]?.fieldsV1 as any)['f:metadata']['f:annotations']).toEqual({ 'f:note': {} })
    await objects.patch(deployment('web', { replicas: 0 }), undefined, undefined, 'me', true, PatchStrategy.ServerSideApply)
    const reapplied = await apps.readNamespacedDeployment({ namespace: 'demo', name: 'web' })
    expect(reapplied.metadata?.annotations).toBeUndefined()
  })

  it('server-side apply conflicts with another manager unless forced', async () => {
    await createNamespace()
    await objects.patch(deployment('web', { replicas: 0 }), undefined, undefined, 'me', true, PatchStrategy.ServerSideApply)
    await apps.patchNamespacedDeployment(
      { namespace: 'demo', name: 'web', fieldManager: 'someone', body: { spec: { replicas: 2 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    const conflict = await failure(objects.patch(deployment('web', { replicas: 0 }), undefined, undefined, 'me', false, PatchStrategy.ServerSideApply))
    expect(conflict).toMatchObject({ code: 409, body: { reason: 'Conflict', details: { causes: [{ reason: 'FieldManagerConflict', field: '/spec/replicas' }] } } })
    const forced = await objects.patch(deployment('web', { replicas: 0 }), undefined, undefined, 'me', true, PatchStrategy.ServerSideApply)
    expect(forced.spec?.replicas).toBe(0)
  })

  it('refuses an unknown patch content type with 415', async () => {
    await createNamespace()
    const res = await fetch(`${fake.url}/api/v1/namespaces/demo`, { method: 'PATCH', headers: { 'content-type': 'text/plain' }, body: '{}' })
    expect(res.status).toBe(415)
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' })
  })
})

describe('fake kube-api: /scale', () => {
  it('reads and patches a Deployment through its scale subresource', async () => {
    await createNamespace()
    await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment('web', { replicas: 0 }) })
    expect((await apps.readNamespacedDeploymentScale({ namespace: 'demo', name: 'web' })).spec?.replicas).toBe(0)
    const scaled = await apps.patchNamespacedDeploymentScale(
      { namespace: 'demo', name: 'web', body: { spec: { replicas: 2 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(scaled.spec?.replicas).toBe(2)
    const after = await apps.readNamespacedDeployment({ namespace: 'demo', name: 'web' })
    expect(after.spec?.replicas).toBe(2)
    expect(after.status?.readyReplicas).toBe(2)
  })

  it('refuses a scale replace carrying a stale resourceVersion', async () => {
    await createNamespace()
    await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment('web', { replicas: 0 }) })
    const scale = await apps.readNamespacedDeploymentScale({ namespace: 'demo', name: 'web' })
    await apps.replaceNamespacedDeploymentScale({ namespace: 'demo', name: 'web', body: { ...scale, spec: { replicas: 1 } } })
    const stale = await failure(apps.replaceNamespacedDeploymentScale({ namespace: 'demo', name: 'web', body: { ...scale, spec: { replicas: 3 } } }))
    expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict' } })
  })
})

describe('fake kube-api: availability', () => {
  it('goes away on stop and comes back on the same port with its objects', async () => {
    await createNamespace()
    const port = fake.port
    await fake.stop()
    await expect(core.listNamespace()).rejects.toThrow(/fetch failed/)
    await fake.start()
    expect(fake.port).toBe(port)
    expect((await core.listNamespace()).items.map((n) => n.metadata?.name)).toEqual(['demo'])
  })

  it('fails injected requests with a Status body, then serves normally', async () => {
    await createNamespace()
    fake.injectFailure({ method: 'GET', path: /\/namespaces\/demo$/, reason: 'ServiceUnavailable', times: 1 })
    expect(await failure(core.readNamespace({ name: 'demo' }))).toMatchObject({ code: 503, body: { reason: 'ServiceUnavailable' } })
    expect((await core.readNamespace({ name: 'demo' })).metadata?.name).toBe('demo')
  })
})

interface Watching {
  /** `TYPE name resourceVersion`, in the order received. */
  events: string[]
  objects: any[]
  /** Resolves with the error client-node's Watch ended with (null when the server ended the stream). */
  ended: Promise<unknown>
  controller: AbortController
}

/** A watch through client-node's Watch, as the kubernetes driver runs it. */
async function watch(path: string, query: Record<string, string | number> = {}): Promise<Watching> {
  const events: string[] = []
  const objects: any[] = []
  let end!: (err: unknown) => void
  const ended = new Promise<unknown>((resolve) => { end = resolve })
  const controller = await new Watch(fake.kubeConfig()).watch(path, query, (type, object) => {
    events.push(`${type} ${object.metadata?.name ?? object.kind} ${object.metadata?.resourceVersion ?? ''}`.trim())
    objects.push(object)
  }, (err) => end(err))
  return { events, objects, ended, controller }
}

const DEPLOYMENTS = '/apis/apps/v1/namespaces/demo/deployments'

const scaleTo = (name: string, replicas: number) => apps.patchNamespacedDeploymentScale(
  { namespace: 'demo', name, body: { spec: { replicas } } },
  setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
)

describe('fake kube-api: watch', () => {
  it('streams ADDED, MODIFIED and DELETED for a Deployment, each under a newer resourceVersion', async () => {
    await createNamespace()
    const w = await watch(DEPLOYMENTS)
    expect(fake.openWatches).toBe(1)
    const created = await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment('web', { replicas: 0 }) })
    const scaled = await scaleTo('web', 1)
    await apps.deleteNamespacedDeployment({ namespace: 'demo', name: 'web' })
    await vi.waitFor(() => expect(w.events).toHaveLength(3))
    const [added, modified, deleted] = w.objects
    expect(w.events.map((e) => e.split(' ').slice(0, 2).join(' '))).toEqual(['ADDED web', 'MODIFIED web', 'DELETED web'])
    expect(added).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { resourceVersion: created.metadata?.resourceVersion } })
    expect(modified).toMatchObject({ spec: { replicas: 1 }, status: { readyReplicas: 1 }, metadata: { resourceVersion: scaled.metadata?.resourceVersion } })
    expect(Number(deleted.metadata.resourceVersion)).toBeGreaterThan(Number(modified.metadata.resourceVersion))
    expect(Number(modified.metadata.resourceVersion)).toBeGreaterThan(Number(added.metadata.resourceVersion))
    expect(fake.requests.find((r) => r.query.watch === 'true')).toMatchObject({ method: 'GET', path: DEPLOYMENTS, status: 200 })
    w.controller.abort()
  })

  it('sends only what fieldSelector and labelSelector select, and an object leaving the selector as DELETED', async () => {
    await createNamespace()
    await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment('web', { replicas: 0 }) })
    await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment('api', { replicas: 0 }) })
    const byName = await watch(DEPLOYMENTS, { fieldSelector: 'metadata.name=web' })
    const byLabel = await watch('/apis/apps/v1/deployments', { labelSelector: 'app=web' })
    await scaleTo('api', 2)
    await scaleTo('web', 2)
    await apps.patchNamespacedDeployment(
      { namespace: 'demo', name: 'web', body: { metadata: { labels: { app: 'moved' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    await vi.waitFor(() => expect(byLabel.events).toHaveLength(3))
    expect(byLabel.events.map((e) => e.split(' ').slice(0, 2).join(' '))).toEqual(['ADDED web', 'MODIFIED web', 'DELETED web'])
    await vi.waitFor(() => expect(byName.events).toHaveLength(3))
    expect(byName.events.map((e) => e.split(' ').slice(0, 2).join(' '))).toEqual(['ADDED web', 'MODIFIED web', 'MODIFIED web'])
    const refused = await fetch(`${fake.url}${DEPLOYMENTS}?watch=1&fieldSelector=spec.replicas%3D1`)
    expect({ code: refused.status, body: await refused.json() }).toMatchObject({ code: 400, body: { kind: 'Status', reason: 'BadRequest' } })
    byName.controller.abort()
    byLabel.controller.abort()
  })

  it('starts after resourceVersion: only the changes since that version, for any kind', async () => {
    await createNamespace()
    const v1 = await core.createNamespacedConfigMap({ namespace: 'demo', body: { metadata: { name: 'c1' }, data: { k: '1' } } })
    const v2 = await core.replaceNamespacedConfigMap({ namespace: 'demo', name: 'c1', body: { ...v1, data: { k: '2' } } })
    const listed = await core.listNamespacedConfigMap({ namespace: 'demo' })
    const fromV1 = await watch('/api/v1/namespaces/demo/configmaps', { resourceVersion: v1.metadata!.resourceVersion! })
    const fromList = await watch('/api/v1/namespaces/demo/configmaps/c1', { resourceVersion: listed.metadata!.resourceVersion! })
    await vi.waitFor(() => expect(fromV1.events).toEqual([`MODIFIED c1 ${v2.metadata?.resourceVersion}`]))
    const v3 = await core.replaceNamespacedConfigMap({ namespace: 'demo', name: 'c1', body: { ...v2, data: { k: '3' } } })
    await vi.waitFor(() => expect(fromList.events).toEqual([`MODIFIED c1 ${v3.metadata?.resourceVersion}`]))
    expect(fromV1.events).toEqual([`MODIFIED c1 ${v2.metadata?.resourceVersion}`, `MODIFIED c1 ${v3.metadata?.resourceVersion}`])
    const fromNow = await watch('/api/v1/namespaces/demo/configmaps')
    await vi.waitFor(() => expect(fromNow.events).toEqual([`ADDED c1 ${v3.metadata?.resourceVersion}`]))
    for (const w of [fromV1, fromList, fromNow]) w.controller.abort()
  })

  it('answers a resourceVersion older than its history with an ERROR event carrying 410 Expired, then ends', async () => {
    await createNamespace()
    const created = await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment('web', { replicas: 0 }) })
    await scaleTo('web', 1)
    fake.store.compact()
    const w = await watch(DEPLOYMENTS, { resourceVersion: created.metadata!.resourceVersion! })
    expect(await w.ended).toBeNull()
    expect(w.objects).toEqual([expect.objectContaining({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 })])
    expect(w.events).toEqual(['ERROR Status'])
    expect(fake.openWatches).toBe(0)
  })

  it('injects a failure into watches alone with watch: true, leaving a list of the same path alone', async () => {
    await createNamespace()
    await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment('web', { replicas: 0 }) })
    fake.injectFailure({ method: 'GET', path: /\/deployments$/, watch: true, reason: 'Expired', times: 1 })
    const listed = await apps.listNamespacedDeployment({ namespace: 'demo' })
    expect(listed.items.map((d) => d.metadata?.name)).toEqual(['web'])
    const w = await watch(DEPLOYMENTS, { resourceVersion: listed.metadata!.resourceVersion! })
    expect(await w.ended).toBeNull()
    expect(w.objects).toEqual([expect.objectContaining({ kind: 'Status', reason: 'Expired', code: 410 })])
  })

  it('ends the stream after timeoutSeconds, when the server closes watches, and when the client aborts', async () => {
    await createNamespace()
    const timed = await watch(DEPLOYMENTS, { timeoutSeconds: 1 })
    const closed = await watch(DEPLOYMENTS)
    const aborted = await watch(DEPLOYMENTS)
    expect(fake.openWatches).toBe(3)
    aborted.controller.abort()
    await vi.waitFor(() => expect(fake.openWatches).toBe(2))
    expect(await timed.ended).toBeNull()
    expect(fake.openWatches).toBe(1)
    fake.closeWatches()
    expect(await closed.ended).toBeNull()
    expect(fake.openWatches).toBe(0)
  })

  it('marks a Deployment ready or failed for tests, as its controller would, and keeps it through later writes', async () => {
    await fake.close()
    fake = await startFakeKubeApi({ deploymentsBecomeReady: false })
    apps = fake.kubeConfig().makeApiClient(AppsV1Api)
    core = fake.kubeConfig().makeApiClient(CoreV1Api)
    await createNamespace()
    await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment('web', { replicas: 0 }) })
    const waking = await scaleTo('web', 1)
    const w = await watch(DEPLOYMENTS, { resourceVersion: waking.metadata!.resourceVersion! })
    expect((await apps.readNamespacedDeployment({ namespace: 'demo', name: 'web' })).status?.readyReplicas).toBe(0)
    fake.setDeploymentStatus('demo', 'web', { readyReplicas: 1, availableReplicas: 1, unavailableReplicas: null })
    await vi.waitFor(() => expect(w.objects.map((o) => o.status.readyReplicas)).toEqual([1]))
    await apps.patchNamespacedDeployment(
      { namespace: 'demo', name: 'web', body: { metadata: { labels: { extra: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect((await apps.readNamespacedDeployment({ namespace: 'demo', name: 'web' })).status?.readyReplicas).toBe(1)
    fake.setDeploymentStatus('demo', 'web', { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' }] })
    await vi.waitFor(() => expect(w.objects).toHaveLength(3))
    expect(w.objects[2].status.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' }])
    w.controller.abort()
  })
})
