// Renders `kubectl kustomize manifests/overlays/production` and checks every object: kubernetes-models
// validation, least-privilege RBAC matching what the kubernetes driver writes, and the wiring between parts.

import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import type { Model } from '@kubernetes-models/base'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'
import { ClusterTriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/ClusterTriggerAuthentication'
import { SealedSecret } from '@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret'
import { IngressRoute } from '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute'
import { agentObjects } from '../../cluster-api/src/drivers/kubernetes/agent-objects.ts'
import { DEFAULT_SCALER_AUTHENTICATION, resolveOptions } from '../../cluster-api/src/drivers/kubernetes/options.ts'
import { tenantObjects } from '../../cluster-api/src/drivers/kubernetes/tenant-objects.ts'
import { KubeConfig } from '@kubernetes/client-node'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any }

const MODELS: Record<string, new (data: any) => Model<unknown>> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'keda.sh/v1alpha1/ClusterTriggerAuthentication': ClusterTriggerAuthentication,
  'bitnami.com/v1alpha1/SealedSecret': SealedSecret,
  'traefik.io/v1alpha1/IngressRoute': IngressRoute,
}

/** K3s' HelmChartConfig has no kubernetes-models package; it is checked by hand below (valuesContent is YAML). */
const HAND_CHECKED = new Set(['helm.cattle.io/v1/HelmChartConfig'])

function render(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['kustomize', join(root, 'manifests/overlays/production')], { maxBuffer: 10 * 1024 * 1024, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('kubectl is not installed: apt-get install -y kubernetes-client (renders the kustomization)'))
      } else if (error) {
        reject(new Error(`kubectl kustomize manifests/overlays/production failed: ${stderr}`))
      } else {
        resolve(stdout)
      }
    })
  })
}

let objects: K8sObject[]

function one(kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name)
  expect(found, `${kind} ${name}`).toHaveLength(1)
  return found[0] as K8sObject
}

beforeAll(async () => {
  objects = parseAllDocuments(await render()).map((d) => d.toJS() as K8sObject).filter(Boolean)
})

describe('manifests/overlays/production', () => {
  it('renders the platform objects, each passing kubernetes-models validation', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/myintell-cluster-api',
      'ClusterRoleBinding/myintell-cluster-api',
      'ClusterTriggerAuthentication/myintell-scaler',
      'ConfigMap/cluster-api-config',
      'DaemonSet/agent-image-prepull',
      'Deployment/cluster-api',
      'Deployment/no-endpoints',
      'HelmChartConfig/traefik',
      'IngressRoute/cluster-api',
      'IngressRoute/no-endpoints',
      'Namespace/myintell-system',
      'SealedSecret/myintell-platform',
      'SealedSecret/myintell-scaler-token',
      'Service/cluster-api',
      'Service/no-endpoints',
      'ServiceAccount/cluster-api',
    ])
    for (const object of objects) {
      const key = `${object.apiVersion}/${object.kind}`
      if (HAND_CHECKED.has(key)) continue
      const model = MODELS[key]
      expect(model, `a kubernetes-models class for ${key}`).toBeDefined()
      expect(() => new model!(object).validate(), `${key} ${object.metadata.name}`).not.toThrow()
    }
  })

  it('puts the platform in myintell-system, labelled as part of myintell', () => {
    const elsewhere = objects.filter((o) => o.metadata.namespace && o.metadata.namespace !== 'myintell-system').map((o) => `${o.kind}/${o.metadata.namespace}`)
    // KEDA reads ClusterTriggerAuthentication secrets from its own namespace; K3s reads HelmChartConfigs from kube-system.
    expect(elsewhere.sort()).toEqual(['HelmChartConfig/kube-system', 'SealedSecret/keda'])
    for (const object of objects) expect(object.metadata.labels?.['app.kubernetes.io/part-of'], object.metadata.name).toBe('myintell')
  })

  it('grants the cluster-api exactly the resources the kubernetes driver writes, and no wildcard', () => {
    const options = resolveOptions({ kubeConfig: new KubeConfig(), platformUrl: 'http://x' })
    const spec = { agentId: 'a', slug: 'ada', tenantId: 't', tenantSlug: 'acme', name: 'Ada', persona: { systemPrompt: '', style: '' }, model: { provider: 'p', model: 'm' }, visibility: 'private' as const, tenantDatabaseUrl: 'postgres://x', signingKey: '0'.repeat(64), secrets: {} }
    const agent = agentObjects(spec, options)
    const written = [...tenantObjects(spec, options), ...agent.before, agent.deployment, ...agent.after]
      .map((o) => `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${PLURALS[o.kind]}`)
    const expected = new Set([...written, 'apps/deployments/scale'])

    const role = one('ClusterRole', 'myintell-cluster-api')
    const granted = new Set<string>()
    for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]) {
      expect(rule.verbs).not.toContain('*')
      expect(rule.resources).not.toContain('*')
      expect(rule.apiGroups).not.toContain('*')
      for (const group of rule.apiGroups) for (const resource of rule.resources) granted.add(`${group}/${resource}`)
      const allowed = rule.resources.includes('deployments/scale') ? ['get', 'patch']
        : rule.resources.includes('deployments') ? ['get', 'list', 'watch', 'create', 'patch', 'delete'] // watch: waitUntilReady
          : ['get', 'list', 'create', 'patch', 'delete']
      expect([...rule.verbs].sort()).toEqual([...allowed].sort())
    }
    expect(granted).toEqual(expected)

    const binding = one('ClusterRoleBinding', 'myintell-cluster-api')
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'myintell-cluster-api' })
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cluster-api', namespace: 'myintell-system' }])
  })

  it('runs the pinned cluster-api image as its service account with the sealed platform secrets', () => {
    const deployment = one('Deployment', 'cluster-api')
    const pod = deployment.spec.template
    expect(pod.spec.serviceAccountName).toBe('cluster-api')
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8788' })
    const [container] = pod.spec.containers
    expect(container.image).toBe('ghcr.io/myintell/cluster-api:0.1.0')
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false })
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'cluster-api-config' } }, { secretRef: { name: 'myintell-platform' } }])
    const sealed = one('SealedSecret', 'myintell-platform')
    expect(sealed.spec.template.metadata).toEqual({ name: 'myintell-platform', namespace: 'myintell-system' })
    expect(Object.keys(sealed.spec.encryptedData)).toEqual(expect.arrayContaining(['EDGE_SIGNING_SECRET', 'DATABASE_URL', 'CLERK_WEBHOOK_SECRET', 'CLERK_SECRET_KEY', 'MYINTELL_SCALER_TOKEN']))
    const config = one('ConfigMap', 'cluster-api-config').data
    expect(config).toMatchObject({ NODE_ENV: 'production', MYINTELL_DRIVER: 'kubernetes', MYINTELL_AGENT_IMAGE: 'ghcr.io/myintell/agent:0.1.0' })
    const service = one('Service', 'cluster-api')
    expect(config.MYINTELL_PLATFORM_URL).toBe(`http://${service.metadata.name}.myintell-system.svc.cluster.local:${service.spec.ports[0].port}`)
    expect(service.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true' })
  })

  it('gives KEDA the scaler token under the name the driver references', () => {
    const auth = one('ClusterTriggerAuthentication', DEFAULT_SCALER_AUTHENTICATION)
    const [ref] = auth.spec.secretTargetRef
    expect(ref.parameter).toBe('token')
    const sealed = one('SealedSecret', ref.name)
    expect(sealed.metadata.namespace).toBe('keda')
    expect(Object.keys(sealed.spec.encryptedData)).toEqual([ref.key])
  })

  it("configures K3s' Traefik with the entry point the agents' IngressRoutes use", () => {
    const chart = one('HelmChartConfig', 'traefik')
    expect(chart.metadata.namespace).toBe('kube-system')
    const values = parseYaml(chart.spec.valuesContent)
    const options = resolveOptions({ kubeConfig: new KubeConfig(), platformUrl: 'http://x' })
    for (const entryPoint of options.entryPoints) expect(values.ports[entryPoint], entryPoint).toBeDefined()
    expect(values.ports.web.forwardedHeaders.insecure).toBe(false)
  })

  it('sends what no agent route takes to the marked no-endpoints answer, and lets Traefik drop a sleeping agent\'s route', () => {
    // Traefik drops the router of a Service without ready endpoints only with allowEmptyServices off; on, it would
    // answer its own unmarked 503 for a sleeping agent.
    const values = parseYaml(one('HelmChartConfig', 'traefik').spec.valuesContent)
    expect(values.providers.kubernetesCRD.allowEmptyServices).toBe(false)

    const catchAll = one('IngressRoute', 'no-endpoints')
    expect(catchAll.metadata.namespace).toBe('myintell-system')
    const [route] = catchAll.spec.routes
    expect(catchAll.spec.routes).toHaveLength(1)
    expect(route.match).toBe('PathPrefix(`/`)')
    // Below every agent route: theirs carry no priority, so Traefik gives them their rule's length (> 1).
    expect(route.priority).toBe(1)
    const options = resolveOptions({ kubeConfig: new KubeConfig(), platformUrl: 'http://x' })
    const agentRoute = agentObjects({ agentId: 'a', slug: 'a', tenantId: 't', tenantSlug: 'acme', name: 'A', persona: { systemPrompt: '', style: '' }, model: { provider: 'p', model: 'm' }, visibility: 'private', tenantDatabaseUrl: 'postgres://x', signingKey: '0'.repeat(64), secrets: {} }, options)
      .after.find((o) => o.kind === 'IngressRoute') as unknown as K8sObject
    for (const r of agentRoute.spec.routes) {
      expect(r.priority).toBeUndefined()
      expect(r.match.length).toBeGreaterThan(route.priority)
    }
    // On every entry point an agent route may use: the default and production's.
    const production = one('ConfigMap', 'cluster-api-config').data.MYINTELL_INGRESS_ENTRYPOINTS.split(',')
    expect(catchAll.spec.entryPoints).toEqual(expect.arrayContaining([...options.entryPoints, ...production]))

    const service = one('Service', 'no-endpoints')
    expect(route.services).toEqual([{ name: service.metadata.name, port: service.spec.ports[0].port }])
    const deployment = one('Deployment', 'no-endpoints')
    const pod = deployment.spec.template
    expect(pod.metadata.labels).toMatchObject(service.spec.selector)
    expect(deployment.spec.replicas).toBeGreaterThan(1)
    const [container] = pod.spec.containers
    expect(container.image).toBe('ghcr.io/myintell/cluster-api:0.1.0')
    // The entry point it runs ships in the cluster-api image (cluster-api/Dockerfile copies cluster-api/).
    expect(container.command.slice(0, 1)).toEqual(['node'])
    expect(existsSync(join(root, container.command[1]))).toBe(true)
    const port = container.ports.find((p: { name: string }) => p.name === service.spec.ports[0].targetPort)
    expect(container.env).toContainEqual({ name: 'PORT', value: String(port.containerPort) })
    // Every path answers 503 on purpose: a probe on a path would never pass.
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 'http' })
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false })
    expect(container.envFrom).toBeUndefined() // it holds no secret
  })

  it('keeps the agent image warm on every node with the pinned tag', () => {
    const prepull = one('DaemonSet', 'agent-image-prepull')
    expect(prepull.spec.template.spec.initContainers[0].image).toBe('ghcr.io/myintell/agent:0.1.0')
  })
})

const PLURALS: Record<string, string> = {
  Namespace: 'namespaces',
  ResourceQuota: 'resourcequotas',
  LimitRange: 'limitranges',
  NetworkPolicy: 'networkpolicies',
  Secret: 'secrets',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  Service: 'services',
  Deployment: 'deployments',
  IngressRoute: 'ingressroutes',
  ScaledObject: 'scaledobjects',
}
