// The kubernetes driver's section of the cluster-api's settings: what MYINTELL_DRIVER=kubernetes reads from the
// environment, parsed once at start-up with the rest (config.ts). Which cluster: KUBECONFIG, read by
// @kubernetes/client-node itself (else ~/.kube/config or the pod's service account).

import { integer, list, settingsSchema, text, type SettingsOf } from '../../../../wire/settings.ts'
import { DEFAULT_ENTRY_POINTS, DEFAULT_IMAGE, DEFAULT_INGRESS_NAMESPACE, DEFAULT_RECONCILE_INTERVAL_MS } from './options.ts'

export const KUBERNETES_DRIVER_ENV = settingsSchema({
  image: text('MYINTELL_AGENT_IMAGE', { default: DEFAULT_IMAGE, doc: 'the agent image' }),
  ingressNamespace: text('MYINTELL_INGRESS_NAMESPACE', {
    default: DEFAULT_INGRESS_NAMESPACE, doc: 'where Traefik runs; tenant NetworkPolicies admit only it',
  }),
  entryPoints: list('MYINTELL_INGRESS_ENTRYPOINTS', {
    default: DEFAULT_ENTRY_POINTS, doc: 'Traefik entry points of agents\' IngressRoutes (production: websecure)',
  }),
  reconcileIntervalMs: integer('MYINTELL_RECONCILE_INTERVAL_MS', {
    default: DEFAULT_RECONCILE_INTERVAL_MS, unit: 'ms', zero: 'no reconcile loop', doc: 'how often drift is repaired',
  }),
})

export type KubernetesDriverEnv = SettingsOf<typeof KUBERNETES_DRIVER_ENV.settings>
