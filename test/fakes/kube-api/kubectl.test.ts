// The fake Kubernetes API driven by the real kubectl (Debian package `kubernetes-client`).
// kubectl client-side validation needs OpenAPI documents the fake does not serve: writes pass --validate=false.

import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startFakeKubeApi, type FakeKubeApi } from './index.ts'

interface Result {
  code: number
  stdout: string
  stderr: string
}

let fake: FakeKubeApi
let dir: string
let kubeconfig: string

function kubectl(args: string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '--request-timeout=10s', ...args], {
      env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfig },
      timeout: 20_000,
    }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('kubectl is not installed: apt-get install -y kubernetes-client (the fake kube-api is tested with the real kubectl)'))
        return
      }
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
    })
    if (input !== undefined) child.stdin?.end(input)
  })
}

async function ok(args: string[], input?: string): Promise<string> {
  const result = await kubectl(args, input)
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`)
  return result.stdout
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels: {app: web}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1
`

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'myintell-kubectl-'))
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

beforeEach(async () => {
  fake = await startFakeKubeApi()
  kubeconfig = fake.writeKubeconfig(dir)
})

afterEach(async () => {
  await fake.close()
})

describe('fake kube-api with kubectl', () => {
  it('reports its version to kubectl', async () => {
    const version = JSON.parse(await ok(['version', '-o', 'json']))
    expect(version.serverVersion.gitVersion).toContain('myintell-fake')
  })

  it('creates a namespace and server-side applies a Deployment from a file', async () => {
    await ok(['create', 'namespace', 'demo'])
    const file = join(dir, 'web.yaml')
    writeFileSync(file, DEPLOYMENT)
    expect(await ok(['apply', '--server-side', '--validate=false', '-f', file])).toContain('deployment.apps/web serverside-applied')
    const web = JSON.parse(await ok(['get', 'deployment', 'web', '-n', 'demo', '-o', 'json']))
    expect(web.spec.replicas).toBe(0)
    // Read from the store: kubectl ≥ 1.21 hides managedFields in its output, 1.20 shows them.
    const stored = fake.find('apps/v1', 'Deployment', 'demo', 'web') as any
    expect(stored.metadata.managedFields.map((m: any) => [m.manager, m.operation])).toEqual([['kubectl', 'Apply']])
    expect(await ok(['get', 'deployments', '-n', 'demo', '-o', 'name'])).toBe('deployment.apps/web\n')
  })

  it('scales a Deployment through the /scale subresource', async () => {
    await ok(['create', 'namespace', 'demo'])
    await ok(['apply', '--server-side', '--validate=false', '-f', '-'], DEPLOYMENT)
    expect(await ok(['scale', 'deployment', 'web', '-n', 'demo', '--replicas=2'])).toContain('scaled')
    expect(fake.requests.some((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/web/scale'))).toBe(true)
    expect(await ok(['get', 'deployment', 'web', '-n', 'demo', '-o', 'jsonpath={.spec.replicas}/{.status.readyReplicas}'])).toBe('2/2')
  })

  it('patches, labels and deletes, and reports NotFound for what is gone', async () => {
    await ok(['create', 'namespace', 'demo'])
    await ok(['apply', '--server-side', '--validate=false', '-f', '-'], DEPLOYMENT)
    await ok(['patch', 'deployment', 'web', '-n', 'demo', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}'])
    await ok(['patch', 'deployment', 'web', '-n', 'demo', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:2"}]'])
    expect(await ok(['get', 'deployments', '-n', 'demo', '-l', 'tier=front', '-o', 'jsonpath={.items[0].spec.template.spec.containers[0].image}'])).toBe('nginx:2')
    expect(await ok(['delete', 'deployment', 'web', '-n', 'demo', '--wait=false'])).toContain('deleted')
    const gone = await kubectl(['get', 'deployment', 'web', '-n', 'demo'])
    expect(gone.code).not.toBe(0)
    expect(gone.stderr).toContain('NotFound')
  })

  it('waits for a Deployment to become ready over a watch (kubectl wait: list, then watch from its resourceVersion)', async () => {
    await fake.close()
    fake = await startFakeKubeApi({ deploymentsBecomeReady: false })
    kubeconfig = fake.writeKubeconfig(dir)
    await ok(['create', 'namespace', 'demo'])
    await ok(['apply', '--server-side', '--validate=false', '-f', '-'], DEPLOYMENT.replace('replicas: 0', 'replicas: 1'))
    const waiting = kubectl(['wait', '--for=jsonpath={.status.readyReplicas}=1', 'deployment/web', '-n', 'demo', '--timeout=15s'])
    await vi.waitFor(() => expect(fake.openWatches).toBe(1), { timeout: 10_000, interval: 50 })
    fake.setDeploymentStatus('demo', 'web', { readyReplicas: 1 })
    const result = await waiting
    expect(result).toMatchObject({ code: 0, stdout: 'deployment.apps/web condition met\n' })
    expect(fake.requests.find((r) => r.query.watch === 'true')?.query).toMatchObject({ fieldSelector: 'metadata.name=web', resourceVersion: expect.stringMatching(/^\d+$/) })
    await vi.waitFor(() => expect(fake.openWatches).toBe(0))
  })

  it('shows the validation error of an invalid object', async () => {
    await ok(['create', 'namespace', 'demo'])
    const invalid = DEPLOYMENT.replace('  selector: {matchLabels: {app: web}}\n', '')
    const result = await kubectl(['apply', '--server-side', '--validate=false', '-f', '-'], invalid)
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/is invalid: .*selector/)
  })

  it('lists and gets the platform custom resources (KEDA ScaledObject, Traefik IngressRoute)', async () => {
    await ok(['create', 'namespace', 'demo'])
    await ok(['apply', '--server-side', '--validate=false', '-f', '-'], `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web, namespace: demo}
spec:
  scaleTargetRef: {name: web}
  minReplicaCount: 0
  triggers:
  - type: metrics-api
    metadata: {url: "http://x/y", valueLocation: active, targetValue: "1"}
`)
    expect(await ok(['get', 'scaledobjects.keda.sh', '-A', '-o', 'name'])).toBe('scaledobject.keda.sh/web\n')
    expect(await ok(['get', 'ingressroutes', '-n', 'demo', '-o', 'name'])).toBe('')
  })
})
