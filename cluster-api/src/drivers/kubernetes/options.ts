// Options of the kubernetes driver, resolved once with their documented defaults; bad setup throws here.

import { KubeConfig } from '@kubernetes/client-node'
import { silentLogger, type StructuredLogger } from '../../../../wire/logger.ts'
import type { AgentSpec } from '../types.ts'


export interface AgentResources {
  requests: { cpu: string; memory: string }
  limits: { cpu: string; memory: string }
  /** Size of the /workspace PVC. */
  workspace: string
}

/** Upper bounds for one tenant namespace (ResourceQuota `hard`). */
export type TenantQuota = Record<string, string>

export interface KubernetesDriverOptions {
  /** Default: KubeConfig.loadFromDefault() — KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  kubeConfig?: KubeConfig
  /** Agent image. Default `ghcr.io/myintell/agent:latest`. */
  image?: string
  /** Base URL of the cluster-api as reached from KEDA and agent pods (metrics-api trigger URL, usage reports). */
  platformUrl: string
  /** Namespace of the ingress controller; tenant NetworkPolicies admit only it. Default `kube-system` (K3s' Traefik). */
  ingressNamespace?: string
  /** Traefik entry points of the agents' IngressRoutes. Default `['web']` (Cloudflare reaches Traefik on it). */
  entryPoints?: readonly string[]
  /** Server-side apply field manager. Default `myintell`. */
  fieldManager?: string
  /** Pause between reconcile passes (ms). Default 30000; 0 disables the loop (reconcileNow() still works). */
  reconcileIntervalMs?: number
  /** First retry after a failed pass (ms), doubled per failure up to reconcileIntervalMs. Default 1000. */
  retryBaseMs?: number
  resources?: Partial<AgentResources>
  tenantQuota?: TenantQuota
  /** KEDA ScaledObject: seconds after the last active metric before scaling to zero. Default 300. */
  cooldownSeconds?: number
  /** KEDA polling interval (s). Default 15. */
  pollingSeconds?: number
  /**
   * The KEDA ClusterTriggerAuthentication carrying the bearer token (MYINTELL_SCALER_TOKEN) for the scaling
   * endpoint; manifests/ defines `myintell-scaler`. null: the trigger sends no credentials.
   */
  scalerAuthentication?: string | null
  /**
   * The authoritative desired set (from the platform DB). When given, each reconcile pass reads it, and
   * objects of agents missing from it are orphans. Without it the in-memory set (ensure/remove) is used.
   */
  desiredAgents?: () => Promise<AgentSpec[]>
  /**
   * Delete our labelled objects whose agent is not desired. Default: true when desiredAgents is given, else
   * false — after a restart the in-memory set is empty until the cluster-api re-ensures, and deleting
   * every agent then would lose their workspaces.
   */
  removeOrphans?: boolean
  /** Extra environment of every agent container (the platform's MYINTELL_EGRESS_ALLOW, MYINTELL_WORKSPACE_QUOTA_BYTES). */
  runtimeEnv?: Record<string, string>
  logger?: StructuredLogger
}

export interface ResolvedOptions {
  runtimeEnv: Record<string, string>
  kubeConfig: KubeConfig
  image: string
  platformUrl: string
  ingressNamespace: string
  entryPoints: string[]
  fieldManager: string
  reconcileIntervalMs: number
  retryBaseMs: number
  resources: AgentResources
  tenantQuota: TenantQuota
  cooldownSeconds: number
  pollingSeconds: number
  scalerAuthentication: string | null
  desiredAgents: (() => Promise<AgentSpec[]>) | undefined
  removeOrphans: boolean
  logger: StructuredLogger
}

export const DEFAULT_IMAGE = 'ghcr.io/myintell/agent:latest'
/** K3s runs its bundled Traefik in kube-system. */
export const DEFAULT_INGRESS_NAMESPACE = 'kube-system'
/** Cloudflare reaches Traefik on `web`; production uses `websecure` (Authenticated Origin Pulls). */
export const DEFAULT_ENTRY_POINTS: readonly string[] = ['web']
/** Long enough not to load the API server, short enough that drift lives at most half a minute. */
export const DEFAULT_RECONCILE_INTERVAL_MS = 30_000
export const DEFAULT_RETRY_BASE_MS = 1_000
/** Five minutes: the platform's default idle timeout; KEDA waits this long after the last activity. */
export const DEFAULT_COOLDOWN_SECONDS = 300
export const DEFAULT_POLLING_SECONDS = 15
export const DEFAULT_SCALER_AUTHENTICATION = 'myintell-scaler'

export const DEFAULT_RESOURCES: AgentResources = {
  requests: { cpu: '50m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '512Mi' },
  workspace: '1Gi',
}

/** Room for a handful of awake agents per tenant; production raises it per plan. */
export const DEFAULT_TENANT_QUOTA: TenantQuota = {
  pods: '10',
  'requests.cpu': '2',
  'requests.memory': '4Gi',
  'limits.cpu': '4',
  'limits.memory': '8Gi',
  persistentvolumeclaims: '20',
  'requests.storage': '40Gi',
}

export function resolveOptions(options: KubernetesDriverOptions): ResolvedOptions {
  if (!options.platformUrl) throw new Error('kubernetes driver requires option platformUrl (KEDA reads the scaling endpoint there)')
  const reconcileIntervalMs = options.reconcileIntervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS
  if (!Number.isFinite(reconcileIntervalMs) || reconcileIntervalMs < 0) throw new Error('kubernetes driver: reconcileIntervalMs must be >= 0')
  let kubeConfig = options.kubeConfig
  if (!kubeConfig) {
    kubeConfig = new KubeConfig()
    kubeConfig.loadFromDefault()
  }
  return {
    runtimeEnv: { ...options.runtimeEnv },
    kubeConfig,
    image: options.image ?? DEFAULT_IMAGE,
    platformUrl: options.platformUrl.replace(/\/+$/, ''),
    ingressNamespace: options.ingressNamespace ?? DEFAULT_INGRESS_NAMESPACE,
    entryPoints: [...(options.entryPoints ?? DEFAULT_ENTRY_POINTS)],
    fieldManager: options.fieldManager ?? 'myintell',
    reconcileIntervalMs,
    retryBaseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
    resources: {
      requests: options.resources?.requests ?? DEFAULT_RESOURCES.requests,
      limits: options.resources?.limits ?? DEFAULT_RESOURCES.limits,
      workspace: options.resources?.workspace ?? DEFAULT_RESOURCES.workspace,
    },
    tenantQuota: options.tenantQuota ?? DEFAULT_TENANT_QUOTA,
    cooldownSeconds: options.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
    pollingSeconds: options.pollingSeconds ?? DEFAULT_POLLING_SECONDS,
    scalerAuthentication: options.scalerAuthentication === undefined ? DEFAULT_SCALER_AUTHENTICATION : options.scalerAuthentication,
    desiredAgents: options.desiredAgents,
    removeOrphans: options.removeOrphans ?? options.desiredAgents !== undefined,
    logger: options.logger ?? silentLogger,
  }
}
