// The `kubernetes` workload driver: per tenant a namespace, per agent Deployment/Service/IngressRoute/ScaledObject/PVC/Secret.
// Applied with server-side apply under one field manager; a reconcile loop repairs drift and removes orphans.

import type { KubeConfig } from '@kubernetes/client-node'
import type { WorkloadDriver } from '../types.ts'

export interface KubernetesDriverLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface AgentResources {
  requests: { cpu: string; memory: string }
  limits: { cpu: string; memory: string }
  /** Size of the /workspace PVC, e.g. `1Gi`. */
  workspace: string
}

export interface KubernetesDriverOptions {
  /** Default: KubeConfig.loadFromDefault() — KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  kubeConfig?: KubeConfig
  /** Agent image. Default `ghcr.io/myintell/agent:latest`. */
  image?: string
  /** Base URL of the cluster-api as seen from KEDA (metrics-api trigger URL). */
  platformUrl: string
  /** Namespace the ingress controller runs in; tenant NetworkPolicies admit only it. Default `kube-system` (K3s Traefik). */
  ingressNamespace?: string
  /** Server-side apply field manager. Default `myintell`. */
  fieldManager?: string
  /** How often the reconcile loop re-applies the desired state (ms). Default 30000; 0 disables the loop. */
  reconcileIntervalMs?: number
  /** The edge signing secret, given to every agent pod. */
  signingSecret: string
  /** Per-agent requests/limits and workspace size. */
  resources?: Partial<AgentResources>
  logger?: KubernetesDriverLogger
}

export async function createKubernetesDriver(options: KubernetesDriverOptions): Promise<WorkloadDriver> {
  void options
  throw new Error('kubernetes driver: not implemented yet')
}
