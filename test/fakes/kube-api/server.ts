// HTTP routing of the fake Kubernetes API: discovery, the resource paths (namespaced and cluster-scoped),
// the verbs and patch types client-node and kubectl send, the Deployment /scale subresource, and watch (watch.ts).

import type { IncomingMessage, ServerResponse } from 'node:http'
import { parse as parseYaml } from 'yaml'
import { apiVersionOf, findByPlural, groupVersions, resourceList, RESOURCE_TYPES, type ResourceType } from './resources.ts'
import { KubeStatusError, statusFor, successStatus } from './status.ts'
import { isObject, jsonPatch, mergePatch, type Json, type JsonObject } from './patches.ts'
import type { ObjectRef, ObjectStore } from './store.ts'
import { isWatch, openWatch } from './watch.ts'

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  contentType: string | undefined
  status: number
}

export interface InjectedFailure {
  method?: string
  /** Matched against the request path. */
  path?: RegExp
  /** true: only watch requests match; false: only the others; unset: both (a list and a watch share a path). */
  watch?: boolean
  /** Expired on a watch arrives as a compacted resourceVersion does: an ERROR event in a 200 stream. */
  reason: 'Conflict' | 'InternalError' | 'ServiceUnavailable' | 'Expired' | 'Forbidden'
  /** How many matching requests fail before the rule is used up. */
  times: number
}

export interface RouterState {
  store: ObjectStore
  requests: RecordedRequest[]
  failures: InjectedFailure[]
  /** Open watch streams. */
  watches: Set<ServerResponse>
}

const SERVER_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.0-myintell-fake', gitCommit: '0000000', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.22', compiler: 'gc', platform: 'linux/amd64' }

interface ResourcePath {
  type: ResourceType
  namespace: string | undefined
  name: string | undefined
  subresource: string | undefined
}

export async function handle(state: RouterState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake')
  const method = (req.method ?? 'GET').toUpperCase()
  const record: RecordedRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), contentType: req.headers['content-type'], status: 0 }
  state.requests.push(record)
  let status = 200
  let body: unknown
  try {
    const raw = await readBody(req)
    const watch = method === 'GET' && isWatch(url)
    const injected = injectedFailure(state, method, url.pathname, watch)
    if (watch) {
      if (injected && injected.reason !== 'Expired') throw injected
      const target = parsePath(url.pathname.replace(/\/+$/, ''))
      if (target.subresource) throw statusFor('MethodNotAllowed', `watch is not allowed on the ${target.subresource} subresource`)
      record.status = openWatch(state.store, state.watches, res, target, url, injected)
      return
    }
    if (injected) throw injected
    ;({ status, body } = route(state, method, url, req.headers['content-type'], raw, managerOf(url, req)))
  } catch (err) {
    const error = err instanceof KubeStatusError ? err : statusFor('InternalError', `fake kube-api: ${err instanceof Error ? err.message : String(err)}`)
    status = error.code
    body = error.toStatus()
  }
  record.status = status
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function injectedFailure(state: RouterState, method: string, path: string, watch: boolean): KubeStatusError | undefined {
  const rule = state.failures.find((f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)) && (f.watch === undefined || f.watch === watch))
  if (!rule) return undefined
  rule.times -= 1
  const messages: Partial<Record<InjectedFailure['reason'], string>> = {
    Conflict: 'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again',
    Expired: 'too old resource version (injected)',
  }
  return statusFor(rule.reason, messages[rule.reason] ?? `injected ${rule.reason}`)
}

function managerOf(url: URL, req: IncomingMessage): string {
  const explicit = url.searchParams.get('fieldManager')
  if (explicit) return explicit
  // A real API server derives the manager from the user agent up to the first '/'.
  return (req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown'
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function parseBody(raw: string, contentType: string | undefined): Json {
  if (raw.trim() === '') throw statusFor('BadRequest', 'the request body is empty')
  try {
    return (contentType?.includes('yaml') ? parseYaml(raw) : JSON.parse(raw)) as Json
  } catch (err) {
    throw statusFor('BadRequest', `the request body does not parse: ${err instanceof Error ? err.message : String(err)}`)
  }
}

function requireObject(value: Json): JsonObject {
  if (!isObject(value)) throw statusFor('BadRequest', 'the request body must be an object')
  return value
}

function route(state: RouterState, method: string, url: URL, contentType: string | undefined, raw: string, manager: string): { status: number; body: unknown } {
  const path = url.pathname.replace(/\/+$/, '')
  if (method === 'GET') {
    const discovery = discover(path)
    if (discovery !== undefined) return { status: 200, body: discovery }
  }
  const target = parsePath(path)
  const { store } = state
  if (!target.name) {
    const ref = { type: target.type, namespace: target.namespace, name: '' }
    if (method === 'GET') {
      return { status: 200, body: store.list(target.type, target.namespace, url.searchParams.get('labelSelector') ?? undefined, url.searchParams.get('fieldSelector') ?? undefined) }
    }
    if (method === 'POST') {
      const object = requireObject(parseBody(raw, contentType))
      const name = (object.metadata as JsonObject | undefined)?.name
      if (typeof name !== 'string') throw statusFor('Invalid', `${target.type.kind} is invalid: metadata.name: Required value`)
      const namespace = target.type.namespaced ? (target.namespace ?? ((object.metadata as JsonObject).namespace as string | undefined)) : undefined
      return { status: 201, body: store.create({ ...ref, namespace, name }, object, manager) }
    }
    throw statusFor('MethodNotAllowed', `${method} is not allowed on a collection`)
  }
  const ref: ObjectRef = { type: target.type, namespace: target.namespace, name: target.name }
  if (target.subresource === 'scale' && target.type.scale) return scale(store, method, ref, contentType, raw, manager)
  if (target.subresource) throw statusFor('NotFound', `the server could not find the requested resource (subresource ${target.subresource})`)
  switch (method) {
    case 'GET': return { status: 200, body: store.get(ref) }
    case 'PUT': return { status: 200, body: store.replace(ref, requireObject(parseBody(raw, contentType)), manager) }
    case 'DELETE': {
      const deleted = store.delete(ref)
      return { status: 200, body: successStatus({ name: ref.name, kind: ref.type.plural, uid: (deleted.metadata as JsonObject).uid }) }
    }
    case 'PATCH': return patch(store, url, ref, contentType, raw, manager)
    default: throw statusFor('MethodNotAllowed', `${method} is not allowed`)
  }
}

function patch(store: ObjectStore, url: URL, ref: ObjectRef, contentType: string | undefined, raw: string, manager: string): { status: number; body: unknown } {
  const type = (contentType ?? '').split(';')[0]?.trim()
  const body = parseBody(raw, contentType)
  switch (type) {
    case 'application/apply-patch+yaml': {
      if (!url.searchParams.get('fieldManager')) throw statusFor('BadRequest', 'PATCH with application/apply-patch+yaml requires a fieldManager')
      const force = url.searchParams.get('force') === 'true'
      return { status: 200, body: store.apply(ref, requireObject(body), manager, force) }
    }
    case 'application/merge-patch+json':
    // Strategic merge treated as a JSON merge patch: enough for the fields our clients patch (lists replaced whole).
    case 'application/strategic-merge-patch+json':
      return { status: 200, body: store.patch(ref, (current) => mergePatch(current, body), manager) }
    case 'application/json-patch+json':
      return { status: 200, body: store.patch(ref, (current) => jsonPatch(current, body), manager) }
    default:
      throw statusFor('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`)
  }
}

function toScale(object: JsonObject): JsonObject {
  const metadata = object.metadata as JsonObject
  const spec = object.spec as JsonObject
  const labels = ((spec.selector as JsonObject | undefined)?.matchLabels ?? {}) as Record<string, string>
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: metadata.name as string, namespace: metadata.namespace as string, uid: metadata.uid as string, resourceVersion: metadata.resourceVersion as string, creationTimestamp: metadata.creationTimestamp as string },
    spec: { replicas: (spec.replicas ?? 0) as number },
    status: { replicas: ((object.status as JsonObject | undefined)?.replicas ?? 0) as number, selector: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') },
  }
}

function scale(store: ObjectStore, method: string, ref: ObjectRef, contentType: string | undefined, raw: string, manager: string): { status: number; body: unknown } {
  const current = toScale(store.get(ref))
  if (method === 'GET') return { status: 200, body: current }
  let next: Json
  if (method === 'PUT') {
    next = requireObject(parseBody(raw, contentType))
    const sent = (next.metadata as JsonObject | undefined)?.resourceVersion
    if (sent !== undefined && sent !== (current.metadata as JsonObject).resourceVersion) {
      throw statusFor('Conflict', `Operation cannot be fulfilled on deployments.apps "${ref.name}": the object has been modified; please apply your changes to the latest version and try again`)
    }
  } else if (method === 'PATCH') {
    const type = (contentType ?? '').split(';')[0]?.trim()
    const body = parseBody(raw, contentType)
    next = type === 'application/json-patch+json' ? jsonPatch(current, body) : mergePatch(current, body)
  } else {
    throw statusFor('MethodNotAllowed', `${method} is not allowed on /scale`)
  }
  const replicas = isObject(next) && isObject(next.spec) ? next.spec.replicas : undefined
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw statusFor('Invalid', `Scale "${ref.name}" is invalid: spec.replicas: Invalid value: must be a non-negative integer`)
  }
  const updated = store.patch(ref, (object) => mergePatch(object, { spec: { replicas } }), manager)
  return { status: 200, body: toScale(updated) }
}

function discover(path: string): unknown {
  if (path === '/version') return SERVER_VERSION
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] }
  const groups = groupVersions()
  const groupObject = (name: string, versions: string[]) => ({
    name,
    versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
  })
  if (path === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups].map(([name, versions]) => groupObject(name, versions)) }
  const match = path.match(/^\/apis\/([^/]+)$/)
  if (match) {
    const versions = groups.get(match[1] as string)
    return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...groupObject(match[1] as string, versions) } : undefined
  }
  if (path === '/api/v1') return resourceList('', 'v1')
  const gv = path.match(/^\/apis\/([^/]+)\/([^/]+)$/)
  if (gv) return resourceList(gv[1] as string, gv[2] as string)
  return undefined
}

function parsePath(path: string): ResourcePath {
  let group: string
  let version: string
  let rest: string[]
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  if (parts[0] === 'api' && parts.length >= 3) {
    group = ''
    version = parts[1] as string
    rest = parts.slice(2)
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] as string
    version = parts[2] as string
    rest = parts.slice(3)
  } else {
    throw statusFor('NotFound', `the server could not find the requested resource (${path})`)
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const type = findByPlural(group, version, rest[2] as string)
    if (type?.namespaced) return { type, namespace: rest[1], name: rest[3], subresource: rest[4] }
  }
  const type = findByPlural(group, version, rest[0] as string)
  if (!type) throw statusFor('NotFound', `the server could not find the requested resource (${path})`)
  return { type, namespace: undefined, name: rest[1], subresource: rest[2] }
}

export function kindsServed(): string[] {
  return RESOURCE_TYPES.map((t) => `${apiVersionOf(t)}/${t.kind}`)
}
