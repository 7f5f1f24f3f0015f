// In-memory object store of the fake API server: resourceVersion, generation, defaulting, validation,
// managedFields bookkeeping (one Apply set and one Update set per manager; lists are atomic), and the change history watches read.

import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { apiVersionOf, RESOURCE_TYPES, validationError, type ResourceType } from './resources.ts'
import { statusFor } from './status.ts'
import { changedPaths, clone, deepMerge, deletePath, isObject, leafPaths, mergePatch, toFieldsV1, valueAt, type Json, type JsonObject } from './patches.ts'
import { ChangeLog, type ChangeType } from './changes.ts'
import { objectMatcher } from './selectors.ts'

type Operation = 'Apply' | 'Update'

interface Stored {
  type: ResourceType
  object: JsonObject
  /** `${manager}\u0000${operation}` → owned leaf paths. */
  owners: Map<string, Set<string>>
}

export interface ObjectRef {
  type: ResourceType
  namespace: string | undefined
  name: string
}

export interface StoreOptions {
  /** Plays the Deployment controller: status follows spec.replicas at once (all replicas ready). */
  deploymentsBecomeReady: boolean
}

function keyOf(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${type.group}/${type.plural}/${namespace ?? ''}/${name}`
}

function ownerKey(manager: string, operation: Operation): string {
  return `${manager}\u0000${operation}`
}

function describe(ref: ObjectRef): string {
  return `${ref.type.plural}${ref.type.group ? `.${ref.type.group}` : ''} "${ref.name}"`
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

export class ObjectStore {
  private readonly objects = new Map<string, Stored>()
  /** The resourceVersion of the last change; every change (write, status update, delete) takes the next one. */
  private revision = 1
  readonly options: StoreOptions
  /** Every change under its resourceVersion, for watches. */
  readonly changes = new ChangeLog()

  constructor(options: StoreOptions) {
    this.options = options
  }

  get(ref: ObjectRef): JsonObject {
    return clone(this.require(ref).object)
  }

  /** The resourceVersion of the last change (what a list answers in metadata.resourceVersion). */
  get currentRevision(): number {
    return this.revision
  }

  /** Objects of a type, optionally in one namespace, that `matches` accepts; sorted by namespace/name. */
  current(type: ResourceType, namespace: string | undefined, matches: (object: JsonObject) => boolean = () => true): JsonObject[] {
    const items = [...this.objects.values()]
      .filter((s) => s.type === type && (namespace === undefined || (s.object.metadata as JsonObject).namespace === namespace))
      .map((s) => s.object)
      .filter(matches)
      .sort((a, b) => `${(a.metadata as JsonObject).namespace}/${(a.metadata as JsonObject).name}`.localeCompare(`${(b.metadata as JsonObject).namespace}/${(b.metadata as JsonObject).name}`))
    return clone(items)
  }

  /** Objects of a type, optionally in one namespace, filtered by a label and a field selector. */
  list(type: ResourceType, namespace: string | undefined, labelSelector: string | undefined, fieldSelector?: string): JsonObject {
    const items = this.current(type, namespace, objectMatcher(labelSelector, fieldSelector))
      // As a real API server does, items of a typed list carry no apiVersion/kind.
      .map(({ apiVersion: _apiVersion, kind: _kind, ...rest }) => rest)
    return { apiVersion: apiVersionOf(type), kind: `${type.kind}List`, metadata: { resourceVersion: String(this.revision) }, items }
  }

  create(ref: ObjectRef, body: JsonObject, manager: string): JsonObject {
    if (this.objects.has(keyOf(ref.type, ref.namespace, ref.name))) throw statusFor('AlreadyExists', `${describe(ref)} already exists`, { name: ref.name, kind: ref.type.plural })
    this.requireNamespace(ref)
    const object = clone(body)
    const metadata = (object.metadata ?? {}) as JsonObject
    delete metadata.resourceVersion
    const stored: Stored = { type: ref.type, object, owners: new Map() }
    this.commit(ref, stored, undefined, manager, 'Update')
    return clone(stored.object)
  }

  /** PUT: replaces the object; a stale metadata.resourceVersion is a 409 Conflict. */
  replace(ref: ObjectRef, body: JsonObject, manager: string): JsonObject {
    const existing = this.require(ref)
    const sentVersion = (body.metadata as JsonObject | undefined)?.resourceVersion
    const currentVersion = (existing.object.metadata as JsonObject).resourceVersion
    if (sentVersion !== undefined && sentVersion !== currentVersion) {
      throw statusFor('Conflict', `Operation cannot be fulfilled on ${describe(ref)}: the object has been modified; please apply your changes to the latest version and try again`, { name: ref.name, kind: ref.type.plural })
    }
    const object = clone(body)
    if (object.status === undefined && existing.object.status !== undefined) object.status = clone(existing.object.status)
    return this.update(ref, existing, object, manager)
  }

  /** Applies `mutate` to a copy of the current object (merge or JSON patch) and stores the result. */
  patch(ref: ObjectRef, mutate: (current: JsonObject) => Json, manager: string): JsonObject {
    const existing = this.require(ref)
    const next = mutate(clone(existing.object))
    if (!isObject(next)) throw statusFor('BadRequest', 'the patched object is not an object')
    return this.update(ref, existing, next, manager)
  }

  /** Server-side apply: creates or merges `config`, owning its fields for `manager`; conflicts unless `force`. */
  apply(ref: ObjectRef, config: JsonObject, manager: string, force: boolean): JsonObject {
    const key = keyOf(ref.type, ref.namespace, ref.name)
    const existing = this.objects.get(key)
    const applied = leafPaths(config)
    if (!existing) {
      this.requireNamespace(ref)
      const stored: Stored = { type: ref.type, object: clone(config), owners: new Map() }
      this.commit(ref, stored, undefined, manager, 'Apply', applied)
      return clone(stored.object)
    }
    const conflicts: { manager: string; field: string }[] = []
    // Work on copies: a rejected apply (conflict or invalid result) must leave ownership as it was.
    const owners = new Map([...existing.owners].map(([k, v]) => [k, new Set(v)]))
    for (const [owner, paths] of owners) {
      if (owner === ownerKey(manager, 'Apply')) continue
      for (const path of paths) {
        if (applied.has(path) && !isDeepStrictEqual(valueAt(existing.object, path), valueAt(config, path))) {
          if (force) paths.delete(path)
          else conflicts.push({ manager: owner.split('\u0000')[0] as string, field: path })
        }
      }
    }
    if (conflicts.length > 0) {
      throw statusFor('Conflict', `Apply failed with ${conflicts.length} conflict(s): ${conflicts.map((c) => `conflict with "${c.manager}": ${c.field}`).join('; ')}`, {
        name: ref.name,
        kind: ref.type.plural,
        causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: c.field })),
      })
    }
    const next = clone(existing.object)
    const previouslyApplied = owners.get(ownerKey(manager, 'Apply')) ?? new Set<string>()
    for (const path of previouslyApplied) {
      const ownedElsewhere = [...owners].some(([owner, paths]) => owner !== ownerKey(manager, 'Apply') && paths.has(path))
      if (!applied.has(path) && !ownedElsewhere) deletePath(next, path)
    }
    const merged = deepMerge(next, config) as JsonObject
    merged.metadata = { ...(merged.metadata as JsonObject), resourceVersion: (existing.object.metadata as JsonObject).resourceVersion as string }
    const candidate: Stored = { type: ref.type, object: merged, owners }
    candidate.owners.set(ownerKey(manager, 'Apply'), applied)
    this.commit(ref, candidate, existing.object, manager, 'Apply', applied)
    return clone(candidate.object)
  }

  delete(ref: ObjectRef): JsonObject {
    const existing = this.require(ref)
    if (ref.type.kind === 'Namespace') {
      for (const [key, stored] of this.objects) {
        if ((stored.object.metadata as JsonObject).namespace === ref.name) this.remove(key, stored)
      }
    }
    this.remove(keyOf(ref.type, ref.namespace, ref.name), existing)
    return clone(existing.object)
  }

  /**
   * Merges `status` into the object's status, as a controller writing the /status subresource does (a test
   * marking a Deployment ready or failed): a new resourceVersion and a MODIFIED event, the spec untouched.
   */
  patchStatus(ref: ObjectRef, status: JsonObject): JsonObject {
    const existing = this.require(ref)
    const next = clone(existing.object)
    next.status = mergePatch(next.status ?? {}, status)
    if (isDeepStrictEqual(next.status, existing.object.status)) return clone(existing.object)
    const error = validationError(ref.type, next)
    if (error) throw statusFor('Invalid', `${ref.type.kind} "${ref.name}" is invalid: ${error}`, { name: ref.name, kind: ref.type.kind })
    ;(next.metadata as JsonObject).resourceVersion = String(++this.revision)
    const previous = existing.object
    existing.object = next
    this.record('MODIFIED', existing, previous)
    return clone(next)
  }

  /** Forgets the change history up to now, as an etcd compaction does: a watch from an older resourceVersion gets 410 Expired. */
  compact(): void {
    this.changes.compact(this.revision)
  }

  /** Every stored object (for tests that assert on the whole cluster). */
  all(): JsonObject[] {
    return [...this.objects.values()].map((s) => clone(s.object))
  }

  typeOf(apiVersion: string, kind: string): ResourceType | undefined {
    return RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind)
  }

  private update(ref: ObjectRef, existing: Stored, next: JsonObject, manager: string): JsonObject {
    const candidate: Stored = { type: ref.type, object: next, owners: new Map([...existing.owners].map(([k, v]) => [k, new Set(v)])) }
    this.commit(ref, candidate, existing.object, manager, 'Update')
    return clone(candidate.object)
  }

  /** Validates, defaults, records ownership and stores `stored` under a new resourceVersion. */
  private commit(ref: ObjectRef, stored: Stored, before: JsonObject | undefined, manager: string, operation: Operation, appliedPaths?: Set<string>): void {
    const object = stored.object
    object.apiVersion = object.apiVersion ?? apiVersionOf(ref.type)
    object.kind = object.kind ?? ref.type.kind
    if (object.apiVersion !== apiVersionOf(ref.type) || object.kind !== ref.type.kind) {
      throw statusFor('BadRequest', `the body is a ${String(object.apiVersion)} ${String(object.kind)}, the path is for ${apiVersionOf(ref.type)} ${ref.type.kind}`)
    }
    const metadata = (isObject(object.metadata) ? object.metadata : {}) as JsonObject
    object.metadata = metadata
    if (metadata.name !== undefined && metadata.name !== ref.name) throw statusFor('BadRequest', `the name of the object (${String(metadata.name)}) does not match the name on the URL (${ref.name})`)
    metadata.name = ref.name
    if (ref.type.namespaced) metadata.namespace = ref.namespace as string
    else delete metadata.namespace
    if (!DNS_SUBDOMAIN.test(ref.name) || ref.name.length > 253) {
      throw statusFor('Invalid', `${ref.type.kind} "${ref.name}" is invalid: metadata.name: Invalid value: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`, { name: ref.name, kind: ref.type.kind })
    }
    applyDefaults(ref.type, object, this.options)
    delete metadata.managedFields
    const error = validationError(ref.type, object)
    if (error) {
      throw statusFor('Invalid', `${ref.type.kind} "${ref.name}" is invalid: ${error}`, { name: ref.name, kind: ref.type.kind, causes: [{ reason: 'FieldValueInvalid', message: error }] })
    }
    const previousMeta = (before?.metadata ?? {}) as JsonObject
    const changed = changedPaths(before ?? {}, object)
    if (operation === 'Update' && changed.size > 0) {
      for (const paths of stored.owners.values()) for (const path of changed) paths.delete(path)
      const mine = stored.owners.get(ownerKey(manager, 'Update')) ?? new Set<string>()
      for (const path of changed) if (valueAt(object, path) !== undefined) mine.add(path)
      stored.owners.set(ownerKey(manager, 'Update'), mine)
    } else if (operation === 'Apply' && appliedPaths) {
      stored.owners.set(ownerKey(manager, 'Apply'), appliedPaths)
    }
    for (const [owner, paths] of stored.owners) if (paths.size === 0) stored.owners.delete(owner)
    const specChanged = !isDeepStrictEqual(stripped(before), stripped(object))
    const now = new Date().toISOString()
    metadata.uid = (previousMeta.uid as string | undefined) ?? randomUUID()
    metadata.creationTimestamp = (previousMeta.creationTimestamp as string | undefined) ?? now.replace(/\.\d+Z$/, 'Z')
    metadata.generation = before === undefined ? 1 : specChanged ? Number(previousMeta.generation ?? 1) + 1 : Number(previousMeta.generation ?? 1)
    const unchanged = before !== undefined && isDeepStrictEqual(withoutVolatile(before), withoutVolatile(object))
    if (ref.type.kind === 'Deployment') simulateDeploymentController(object, before, this.options)
    const statusChanged = before !== undefined && !isDeepStrictEqual(before.status, object.status)
    const changes = !unchanged || statusChanged
    metadata.resourceVersion = changes ? String(++this.revision) : (previousMeta.resourceVersion as string)
    metadata.managedFields = [...stored.owners].map(([owner, paths]) => {
      const [name, op] = owner.split('\u0000') as [string, Operation]
      return { manager: name, operation: op, apiVersion: apiVersionOf(ref.type), time: now.replace(/\.\d+Z$/, 'Z'), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(paths) }
    })
    this.objects.set(keyOf(ref.type, ref.namespace, ref.name), stored)
    if (changes) this.record(before ? 'MODIFIED' : 'ADDED', stored, before)
  }

  /** Deletes under a new resourceVersion: the DELETED event carries the object's last state at that version. */
  private remove(key: string, stored: Stored): void {
    this.objects.delete(key)
    ;(stored.object.metadata as JsonObject).resourceVersion = String(++this.revision)
    this.record('DELETED', stored, undefined)
  }

  private record(type: ChangeType, stored: Stored, previous: JsonObject | undefined): void {
    this.changes.record({ revision: this.revision, type, resource: stored.type, object: stored.object, previous })
  }

  private require(ref: ObjectRef): Stored {
    const stored = this.objects.get(keyOf(ref.type, ref.namespace, ref.name))
    if (!stored) throw statusFor('NotFound', `${describe(ref)} not found`, { name: ref.name, kind: ref.type.plural, ...(ref.type.group ? { group: ref.type.group } : {}) })
    return stored
  }

  private requireNamespace(ref: ObjectRef): void {
    if (!ref.type.namespaced) return
    const namespaceType = RESOURCE_TYPES.find((t) => t.kind === 'Namespace') as ResourceType
    if (!this.objects.has(keyOf(namespaceType, undefined, ref.namespace as string))) {
      throw statusFor('NotFound', `namespaces "${ref.namespace}" not found`, { name: ref.namespace, kind: 'namespaces' })
    }
  }
}

function stripped(object: JsonObject | undefined): unknown {
  if (!object) return undefined
  const { metadata: _metadata, status: _status, ...rest } = object
  return rest
}

function withoutVolatile(object: JsonObject): unknown {
  const metadata = { ...(object.metadata as JsonObject) }
  delete metadata.resourceVersion
  delete metadata.managedFields
  delete metadata.generation
  return { ...object, metadata }
}

/** The few defaults of a real API server that matter to clients (Deployment replicas default to 1!). */
function applyDefaults(type: ResourceType, object: JsonObject, options: StoreOptions): void {
  const spec = isObject(object.spec) ? object.spec : undefined
  if (type.kind === 'Deployment' && spec && spec.replicas === undefined) spec.replicas = 1
  if (type.kind === 'Service' && spec && spec.type === undefined) spec.type = 'ClusterIP'
  if (type.kind === 'Namespace') object.status = { phase: 'Active' }
  if (type.kind === 'Secret' && isObject(object.stringData)) {
    const data = (isObject(object.data) ? object.data : {}) as JsonObject
    for (const [k, v] of Object.entries(object.stringData)) data[k] = Buffer.from(String(v)).toString('base64')
    object.data = data
    delete object.stringData
  }
  void options
}

/**
 * Status follows spec.replicas at once. With deploymentsBecomeReady off, new replicas stay unready: only pods a
 * test marked ready (patchStatus) stay ready while wanted. Conditions a test set are kept.
 */
function simulateDeploymentController(object: JsonObject, before: JsonObject | undefined, options: StoreOptions): void {
  const replicas = Number((object.spec as JsonObject).replicas ?? 1)
  const previous = (isObject(before?.status) ? before.status : {}) as JsonObject
  const ready = options.deploymentsBecomeReady ? replicas : Math.min(Number(previous.readyReplicas ?? 0), replicas)
  const generation = (object.metadata as JsonObject).generation as number
  const conditions: JsonObject = previous.conditions !== undefined ? { conditions: previous.conditions } : {}
  object.status = replicas === 0
    ? { observedGeneration: generation, ...conditions }
    : { observedGeneration: generation, replicas, updatedReplicas: replicas, readyReplicas: ready, availableReplicas: ready, ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}), ...conditions }
}
