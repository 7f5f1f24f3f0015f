// The objects of one agent: its Secret (runtime config), the /workspace PVC, the Deployment, Service,
// Traefik IngressRoute and KEDA ScaledObject. The Deployment leaves `replicas` out: KEDA and wake own it.

import { createHash } from 'node:crypto'
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject'
import { IngressRoute } from '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute'
import { INTERNAL_PATHS } from '../../../../wire/internal-api.ts'
import { TENANT_HOST } from '../../../../wire/headers.ts'
import { RUNTIME_ENV, RUNTIME_PATHS } from '../../../../wire/runtime.ts'
import type { AgentSpec } from '../types.ts'
import { agentLabels, agentObjectName, agentSelector, CONFIG_HASH_ANNOTATION, tenantNamespace, workspaceClaimName } from './names.ts'
import type { ResolvedOptions } from './options.ts'
import type { DesiredObject } from './desired-object.ts'
import { secretData } from './tenant-objects.ts'

/** The port the runtime listens on inside the pod. */
export const AGENT_PORT = 8080
/** The Service port Traefik sends to. */
export const SERVICE_PORT = 80
/** The agent image's non-root user (see agent/Dockerfile); any non-zero uid works with runAsNonRoot. */
const AGENT_UID = 10001
/** Cap on agent replicas KEDA may scale to: one is the norm, more only under heavy load. */
export const MAX_REPLICAS = 3
/** The edge's X-Tenant-Host (wire/headers.ts), spelled canonically as Traefik rules show it; matching is case-insensitive. */
const TRAEFIK_TENANT_HOST = TENANT_HOST.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())
const CONFIG_KEY = 'config'

export interface AgentObjects {
  /** Applied without `replicas`; created with `replicas: 0` when absent (createBody). */
  deployment: Deployment
  /** Everything else, in apply order (the ScaledObject after the Deployment it targets). */
  before: DesiredObject[]
  after: DesiredObject[]
}

/** Changes whenever the pod must restart to see a new spec (the agent's own signing key is part of the spec). */
export function configHash(spec: AgentSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 32)
}

/** Where the agent's PVC is mounted: its workspace (RuntimeConfig.workspaceDir). */
export const WORKSPACE_MOUNT = '/workspace'

export function agentObjects(spec: AgentSpec, options: ResolvedOptions): AgentObjects {
  const namespace = tenantNamespace(spec.tenantSlug)
  const name = agentObjectName(spec.slug)
  const labels = agentLabels(spec)
  const metadata = (objectName: string) => ({ name: objectName, namespace, labels })

  const secret = new Secret({
    metadata: metadata(name),
    type: 'Opaque',
    // The spec carries the agent's own derived signing key; the pod never sees the platform's master secret.
    // It carries the agent's own secrets too (model keys, MCP header values): the pod reads them from here, nothing else.
    data: secretData({ [CONFIG_KEY]: JSON.stringify({ ...spec, workspaceDir: WORKSPACE_MOUNT }) }),
  })
  const workspace = new PersistentVolumeClaim({
    metadata: metadata(workspaceClaimName(spec.slug)),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: options.resources.workspace } } },
  })
  const fromSecret = (key: string) => ({ secretKeyRef: { name, key } })
  const deployment = new Deployment({
    metadata: metadata(name),
    spec: {
      selector: { matchLabels: agentSelector(spec) },
      // One pod at a time owns the ReadWriteOnce workspace: a rolling update could wait forever for the volume.
      strategy: { type: 'Recreate' },
      revisionHistoryLimit: 2,
      // A pod that cannot start (image pull, quota, crash) shows as failed after 2 minutes, not the default 10.
      progressDeadlineSeconds: 120,
      template: {
        metadata: { labels, annotations: { [CONFIG_HASH_ANNOTATION]: configHash(spec) } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: AGENT_UID, runAsGroup: AGENT_UID, fsGroup: AGENT_UID, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'agent',
            image: options.image,
            ports: [{ name: 'http', containerPort: AGENT_PORT, protocol: 'TCP' }],
            env: [
              { name: RUNTIME_ENV.port, value: String(AGENT_PORT) },
              { name: RUNTIME_ENV.host, value: '0.0.0.0' },
              { name: RUNTIME_ENV.platformUrl, value: options.platformUrl },
              { name: RUNTIME_ENV.config, valueFrom: fromSecret(CONFIG_KEY) },
              { name: 'MYINTELL_WORKSPACE_DIR', value: WORKSPACE_MOUNT },
              ...Object.entries(options.runtimeEnv).map(([envName, value]) => ({ name: envName, value })),
            ],
            readinessProbe: { httpGet: { path: RUNTIME_PATHS.readyz, port: 'http' }, periodSeconds: 2, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: RUNTIME_PATHS.healthz, port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
            resources: { requests: { ...options.resources.requests }, limits: { ...options.resources.limits } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'workspace', mountPath: WORKSPACE_MOUNT }],
          }],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            { name: 'workspace', persistentVolumeClaim: { claimName: workspaceClaimName(spec.slug) } },
          ],
        },
      },
    },
  })
  const service = new Service({
    metadata: metadata(name),
    spec: { type: 'ClusterIP', selector: agentSelector(spec), ports: [{ name: 'http', port: SERVICE_PORT, targetPort: 'http', protocol: 'TCP' }] },
  })
  const ingressRoute = new IngressRoute({
    metadata: metadata(name),
    spec: {
      entryPoints: [...options.entryPoints],
      routes: [{ kind: 'Rule', match: `Header(\`${TRAEFIK_TENANT_HOST}\`, \`${spec.slug}\`)`, services: [{ name, port: SERVICE_PORT }] }],
    },
  })
  const scaledObject = new ScaledObject({
    metadata: metadata(name),
    spec: {
      scaleTargetRef: { name },
      minReplicaCount: 0,
      maxReplicaCount: MAX_REPLICAS,
      cooldownPeriod: options.cooldownSeconds,
      pollingInterval: options.pollingSeconds,
      triggers: [{
        type: 'metrics-api',
        metadata: {
          // The cluster-api answers {"active": 0|1, …}; 1 while the agent had activity or a wake within the idle window.
          url: `${options.platformUrl}${INTERNAL_PATHS.scaling(spec.agentId)}`,
          format: 'json',
          valueLocation: 'active',
          targetValue: '1',
          activationTargetValue: '0',
          ...(options.scalerAuthentication ? { authMode: 'bearer' } : {}),
        },
        ...(options.scalerAuthentication ? { authenticationRef: { name: options.scalerAuthentication, kind: 'ClusterTriggerAuthentication' } } : {}),
      }],
    },
  })
  return { deployment, before: [secret, workspace, service], after: [ingressRoute, scaledObject] }
}

/** The body that creates an absent Deployment: asleep, with zero replicas. */
export function createBody(deployment: Deployment): object {
  const body = deployment.toJSON() as { spec: Record<string, unknown> }
  return { ...body, spec: { ...body.spec, replicas: 0 } }
}
