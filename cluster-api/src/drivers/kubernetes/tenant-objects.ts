// The objects of one tenant namespace: the Namespace with owner labels, ResourceQuota, LimitRange,
// a NetworkPolicy admitting ingress only from the ingress controller's namespace, and the tenant's Secret.

import { LimitRange } from 'kubernetes-models/v1/LimitRange'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota'
import { Secret } from 'kubernetes-models/v1/Secret'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import type { AgentSpec } from '../types.ts'
import {
  TENANT_LIMITS_NAME, TENANT_NETWORK_POLICY_NAME, TENANT_QUOTA_NAME, TENANT_SECRET_NAME, tenantLabels, tenantNamespace,
} from './names.ts'
import type { ResolvedOptions } from './options.ts'
import type { DesiredObject } from './desired-object.ts'

/** Secret values are sent base64-encoded in `data`, as the API server stores them (no stringData round trip). */
export function secretData(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]))
}

export function tenantObjects(spec: AgentSpec, options: ResolvedOptions): DesiredObject[] {
  const namespace = tenantNamespace(spec.tenantSlug)
  const labels = tenantLabels(spec)
  const metadata = (name: string) => ({ name, namespace, labels })
  return [
    new Namespace({ metadata: { name: namespace, labels } }),
    new ResourceQuota({ metadata: metadata(TENANT_QUOTA_NAME), spec: { hard: { ...options.tenantQuota } } }),
    new LimitRange({
      metadata: metadata(TENANT_LIMITS_NAME),
      spec: {
        limits: [{
          type: 'Container',
          default: { ...options.resources.limits },
          defaultRequest: { ...options.resources.requests },
        }],
      },
    }),
    new NetworkPolicy({
      metadata: metadata(TENANT_NETWORK_POLICY_NAME),
      spec: {
        // Every pod of the tenant; nothing from other tenants' namespaces, only the ingress controller.
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': options.ingressNamespace } } }] }],
      },
    }),
    new Secret({
      metadata: metadata(TENANT_SECRET_NAME),
      type: 'Opaque',
      data: secretData({ TENANT_DATABASE_URL: spec.tenantDatabaseUrl }),
    }),
  ]
}
