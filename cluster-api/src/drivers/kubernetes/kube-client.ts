// The driver's calls to the Kubernetes API through @kubernetes/client-node: server-side apply under one
// field manager, create-if-absent, delete (404 = done), list by label, the Deployment (read, or listed with the
// list's resourceVersion), its /scale and a watch on it.
// Every object is validated with kubernetes-models before it is sent; 409 conflicts are retried.

import {
  ApiException, AppsV1Api, KubernetesObjectApi, loadYaml, PatchStrategy, setHeaderOptions, Watch,
  type KubeConfig, type KubernetesObject, type V1Deployment,
} from '@kubernetes/client-node'
import { isAlreadyExists, isConflict, isNotFound, KubernetesApiError } from './api-errors.ts'
import { backoffDelay, sleep } from './backoff.ts'
import { describeObject, type DesiredObject } from './desired-object.ts'

/** A conflict means someone wrote between our read and write; a few quick retries settle it. */
export const CONFLICT_RETRIES = 5
/** Base delay between conflict retries (ms); doubled each time, jittered. */
const CONFLICT_RETRY_BASE_MS = 50

export interface ObjectRef {
  apiVersion: string
  kind: string
  namespace?: string | undefined
  name: string
}

/** ADDED, MODIFIED, DELETED, BOOKMARK, or ERROR (then `object` is a Status, e.g. 410 Expired). */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

export interface DeploymentWatch {
  /** Called for every event, in order. */
  onEvent(type: WatchEventType, object: V1Deployment): void
  /**
   * Called once when the watch ends: null when the server closed the stream, an ApiException for an HTTP
   * failure (e.g. 410), or the transport error (an inactivity timeout, a reset, our own abort).
   */
  onEnd(err: unknown): void
}

export class KubeClient {
  private readonly objects: KubernetesObjectApi
  private readonly apps: AppsV1Api
  private readonly watcher: Watch
  private readonly fieldManager: string

  constructor(kubeConfig: KubeConfig, fieldManager: string) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig)
    this.apps = kubeConfig.makeApiClient(AppsV1Api)
    this.watcher = new Watch(kubeConfig)
    this.fieldManager = fieldManager
  }

  /** Server-side apply with force: our field manager owns every field it sends. */
  async apply(object: DesiredObject): Promise<void> {
    const body = validated(object)
    await this.withConflictRetry(`apply ${describeObject(body)}`, () =>
      this.objects.patch(body, undefined, undefined, this.fieldManager, true, PatchStrategy.ServerSideApply))
  }

  /** Creates `object` (with `body` overrides) unless it exists; true when it was created. */
  async createIfAbsent(object: DesiredObject, body: object): Promise<boolean> {
    validated(object)
    const sent = validated(body as DesiredObject, object.constructor as new (data: object) => DesiredObject)
    try {
      await this.objects.create(sent, undefined, undefined, this.fieldManager)
      return true
    } catch (err) {
      if (isAlreadyExists(err)) return false
      throw new KubernetesApiError(`create ${describeObject(sent)}`, err)
    }
  }

  async exists(ref: ObjectRef): Promise<boolean> {
    try {
      await this.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } })
      return true
    } catch (err) {
      if (isNotFound(err)) return false
      throw new KubernetesApiError(`read ${describeObject({ kind: ref.kind, metadata: ref })}`, err)
    }
  }

  /** Deletes the object; one that is already gone counts as deleted. */
  async delete(ref: ObjectRef): Promise<void> {
    const spec: KubernetesObject = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } }
    try {
      await this.withConflictRetry(`delete ${describeObject(spec)}`, () => this.objects.delete(spec, undefined, undefined, undefined, undefined, 'Background'))
    } catch (err) {
      if (err instanceof KubernetesApiError && err.failure.code === 404) return
      throw err
    }
  }

  /** Objects of a kind in every namespace matching `labelSelector`. */
  async list(apiVersion: string, kind: string, labelSelector: string): Promise<KubernetesObject[]> {
    try {
      const list = await this.objects.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, labelSelector)
      return list.items
    } catch (err) {
      throw new KubernetesApiError(`list ${apiVersion} ${kind} (${labelSelector})`, err)
    }
  }

  async readDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    try {
      return await this.apps.readNamespacedDeployment({ namespace, name })
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw new KubernetesApiError(`read Deployment ${namespace}/${name}`, err)
    }
  }

  /**
   * Deployments in `namespace` (every namespace when undefined) matching the selectors, with the list's
   * resourceVersion: the collection's current version, which a watch can start from.
   */
  async listDeployments(namespace: string | undefined, selectors: { labelSelector?: string; fieldSelector?: string }): Promise<{ items: V1Deployment[]; resourceVersion: string | undefined }> {
    try {
      const list = namespace === undefined
        ? await this.apps.listDeploymentForAllNamespaces(selectors)
        : await this.apps.listNamespacedDeployment({ namespace, ...selectors })
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion }
    } catch (err) {
      throw new KubernetesApiError(`list Deployments in ${namespace ?? 'every namespace'} (${[selectors.labelSelector, selectors.fieldSelector].filter(Boolean).join(', ')})`, err)
    }
  }

  /**
   * Watches the one Deployment `namespace/name` for the changes after `resourceVersion`. Resolves once the
   * server has answered (or the request failed, already reported to onEnd); abort the controller to stop.
   */
  watchDeployment(namespace: string, name: string, resourceVersion: string, watch: DeploymentWatch): Promise<AbortController> {
    const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`
    return this.watcher.watch(path, { fieldSelector: `metadata.name=${name}`, resourceVersion }, (type, object) => {
      watch.onEvent(type as WatchEventType, object as V1Deployment)
    }, (err: unknown) => watch.onEnd(asApiException(err)))
  }

  /**
   * Watches every Deployment (all namespaces) matching `labelSelector` for the changes after `resourceVersion` (a
   * list's). Resolves once the server has answered (or the request failed, already reported to onEnd).
   */
  watchDeployments(labelSelector: string, resourceVersion: string, watch: DeploymentWatch): Promise<AbortController> {
    return this.watcher.watch('/apis/apps/v1/deployments', { labelSelector, resourceVersion }, (type, object) => {
      watch.onEvent(type as WatchEventType, object as V1Deployment)
    }, (err: unknown) => watch.onEnd(asApiException(err)))
  }

  /** Raises the Deployment's /scale to at least `replicas`; never lowers what KEDA scaled up. */
  async scaleUpTo(namespace: string, name: string, replicas: number): Promise<number> {
    return this.withConflictRetry(`scale Deployment ${namespace}/${name}`, async () => {
      const scale = await this.apps.readNamespacedDeploymentScale({ namespace, name })
      const current = scale.spec?.replicas ?? 0
      if (current >= replicas) return current
      await this.apps.patchNamespacedDeploymentScale(
        { namespace, name, fieldManager: this.fieldManager, body: { spec: { replicas } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      return replicas
    })
  }

  private async withConflictRetry<T>(action: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call()
      } catch (err) {
        if (isConflict(err) && attempt < CONFLICT_RETRIES) {
          await sleep(backoffDelay(attempt, CONFLICT_RETRY_BASE_MS, 1_000))
          continue
        }
        throw err instanceof KubernetesApiError ? err : new KubernetesApiError(action, err)
      }
    }
  }
}

/** client-node reports a watch's non-200 answer as a bare Error with statusCode; give it the shape every other call has. */
function asApiException(err: unknown): unknown {
  const statusCode = typeof err === 'object' && err !== null ? (err as { statusCode?: unknown }).statusCode : undefined
  return typeof statusCode === 'number' ? new ApiException(statusCode, (err as Error).message, undefined, {}) : err
}

/**
 * Runs kubernetes-models validation (through the object's own model class) and returns the object in
 * client-node's typed form. KubernetesObjectApi re-serializes bodies through its generated models, which
 * read renamed attributes (`_from` for NetworkPolicy `from`): a plain object would silently lose them.
 * loadYaml (JSON is YAML) is client-node's public wire → typed conversion.
 */
function validated(object: DesiredObject, model?: new (data: object) => DesiredObject): KubernetesObject {
  const instance = model ? new model(object) : object
  assertValid(instance)
  return loadYaml<KubernetesObject>(JSON.stringify(instance.toJSON()))
}

/** Throws, naming the object, when it fails kubernetes-models validation. */
export function assertValid(instance: DesiredObject): void {
  try {
    instance.validate()
  } catch (err) {
    throw new Error(`refusing to write ${describeObject(instance)}: it fails kubernetes-models validation: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}
