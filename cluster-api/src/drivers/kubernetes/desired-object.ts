// What the driver writes: a kubernetes-models object (validated before it is sent) and how to write it.

import type { Model } from '@kubernetes-models/base'

export interface ObjectMeta {
  name?: string | undefined
  namespace?: string | undefined
  labels?: Record<string, string> | undefined
}

export type DesiredObject = Model<unknown> & { apiVersion: string; kind: string; metadata?: ObjectMeta | undefined }

/** `Kind namespace/name`, for logs and error messages. */
export function describeObject(object: { kind?: string; metadata?: { name?: string; namespace?: string } | undefined }): string {
  const meta = object.metadata
  return `${object.kind ?? '?'} ${meta?.namespace ? `${meta.namespace}/` : ''}${meta?.name ?? '?'}`
}
