// The resource types the fake Kubernetes API serves: discovery data plus the kubernetes-models class that validates each.
// Kinds outside this table answer 404, as a real server without the CRD would.

import type { Model } from '@kubernetes-models/base'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { LimitRange } from 'kubernetes-models/v1/LimitRange'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim'
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject'
import { IngressRoute } from '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute'

type ModelClass = new (data: any) => Model<unknown>

export interface ResourceType {
  /** '' for the core group. */
  group: string
  version: string
  kind: string
  /** Plural resource name used in paths. */
  plural: string
  singular: string
  namespaced: boolean
  shortNames?: string[]
  model: ModelClass
  /** Has a /scale subresource (autoscaling/v1 Scale). */
  scale?: boolean
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'], model: Namespace },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true, shortNames: ['cm'], model: ConfigMap },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true, model: Secret },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', namespaced: true, shortNames: ['svc'], model: Service },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', namespaced: true, shortNames: ['sa'], model: ServiceAccount },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', namespaced: true, shortNames: ['pvc'], model: PersistentVolumeClaim },
  { group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', singular: 'resourcequota', namespaced: true, shortNames: ['quota'], model: ResourceQuota },
  { group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', singular: 'limitrange', namespaced: true, shortNames: ['limits'], model: LimitRange },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'], model: Deployment, scale: true },
  { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', singular: 'networkpolicy', namespaced: true, shortNames: ['netpol'], model: NetworkPolicy },
  { group: 'keda.sh', version: 'v1alpha1', kind: 'ScaledObject', plural: 'scaledobjects', singular: 'scaledobject', namespaced: true, shortNames: ['so'], model: ScaledObject },
  { group: 'traefik.io', version: 'v1alpha1', kind: 'IngressRoute', plural: 'ingressroutes', singular: 'ingressroute', namespaced: true, model: IngressRoute },
]

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version
}

export function findByPlural(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural)
}

export function groupVersions(): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  for (const t of RESOURCE_TYPES) {
    if (!t.group) continue
    const versions = groups.get(t.group) ?? []
    if (!versions.includes(t.version)) versions.push(t.version)
    groups.set(t.group, versions)
  }
  return groups
}

/** GET /api/v1 or /apis/<group>/<version>: an APIResourceList. */
export function resourceList(group: string, version: string): object | undefined {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version)
  if (types.length === 0) return undefined
  const resources: object[] = []
  for (const t of types) {
    resources.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: [...VERBS],
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
    })
    if (t.scale) {
      resources.push({ name: `${t.plural}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] })
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources }
}

/** Validates `object` with the kind's kubernetes-models class; returns the error message or null. */
export function validationError(type: ResourceType, object: unknown): string | null {
  try {
    new type.model(object as object).validate()
    return null
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}
