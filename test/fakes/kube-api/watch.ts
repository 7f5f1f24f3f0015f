// Watch as the API server streams it: GET on a collection (or one named object) with `watch=true|1` answers 200
// with chunked application/json, one {"type","object"} line per event, for any kind the store serves.
//
// resourceVersion unset or "0": an ADDED event per matching object, then every change. resourceVersion N: every
// change after N from the store's history, then live ones; N older than the history is a 200 stream with one
// ERROR event carrying a 410 Expired Status (as the real server reports it, not an HTTP 410), then the end.
// A resourceVersion newer than the store's is watched from (a real server waits a little, then answers 504).
// labelSelector and fieldSelector (metadata.name, metadata.namespace) filter, with an object that enters or
// leaves the selector seen as ADDED or DELETED. timeoutSeconds ends the stream; so does the client leaving.
// No BOOKMARK events (allowWatchBookmarks is accepted: a server may send none), no sendInitialEvents.

import type { ServerResponse } from 'node:http'
import type { Change } from './changes.ts'
import { clone, type JsonObject } from './patches.ts'
import type { ResourceType } from './resources.ts'
import { objectMatcher } from './selectors.ts'
import { statusFor, type KubeStatusError } from './status.ts'
import type { ObjectStore } from './store.ts'

export interface WatchScope {
  type: ResourceType
  namespace: string | undefined
  /** A named path watches that one object (as fieldSelector=metadata.name=<name> would). */
  name: string | undefined
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR'

export function isWatch(url: URL): boolean {
  const watch = url.searchParams.get('watch')
  return watch === 'true' || watch === '1'
}

/**
 * Opens a watch stream on `res` and keeps it in `open` until it ends. Every check that can fail runs before the
 * 200 is written, so a bad request is a plain Status error. `expired` (an injected failure) answers as a
 * compacted resourceVersion does. Returns the HTTP status sent.
 */
export function openWatch(store: ObjectStore, open: Set<ServerResponse>, res: ServerResponse, scope: WatchScope, url: URL, expired?: KubeStatusError): number {
  const fieldSelector = [url.searchParams.get('fieldSelector'), scope.name !== undefined ? `metadata.name=${scope.name}` : undefined].filter(Boolean).join(',')
  const matches = objectMatcher(url.searchParams.get('labelSelector') ?? undefined, fieldSelector || undefined)
  const inScope = (object: JsonObject) => (scope.namespace === undefined || (object.metadata as JsonObject).namespace === scope.namespace) && matches(object)
  const from = resourceVersionOf(url)
  const timeoutSeconds = timeoutOf(url)
  const backlog = from === undefined
    ? store.current(scope.type, scope.namespace, matches).map((object) => ['ADDED', object] as const)
    : store.changes.since(from)?.flatMap((change) => eventFor(change, scope.type, inScope))

  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' })
  res.flushHeaders()
  const send = (type: EventType, object: unknown) => { res.write(`${JSON.stringify({ type, object })}\n`) }
  if (expired || !backlog) {
    const error = expired ?? statusFor('Expired', `too old resource version: ${from} (${store.changes.oldestRevision})`)
    send('ERROR', error.toStatus())
    res.end()
    return 200
  }
  for (const [type, object] of backlog) send(type, object)
  const unsubscribe = store.changes.subscribe((change) => {
    for (const [type, object] of eventFor(change, scope.type, inScope)) send(type, object)
  })
  const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1_000) : undefined
  open.add(res)
  res.on('close', () => {
    unsubscribe()
    clearTimeout(timer)
    open.delete(res)
  })
  return 200
}

/** What a watch with a selector sees of one change: an object entering the selector is ADDED, one leaving it DELETED. */
function eventFor(change: Change, type: ResourceType, inScope: (object: JsonObject) => boolean): (readonly [EventType, JsonObject])[] {
  if (change.resource !== type) return []
  const now = inScope(change.object)
  if (change.type !== 'MODIFIED') return now ? [[change.type, clone(change.object)]] : []
  const before = change.previous !== undefined && inScope(change.previous)
  if (now) return [[before ? 'MODIFIED' : 'ADDED', clone(change.object)]]
  return before ? [['DELETED', clone(change.object)]] : []
}

/** undefined for "" and "0" (start from the current state), else the version to start after. */
function resourceVersionOf(url: URL): number | undefined {
  const raw = url.searchParams.get('resourceVersion')
  if (raw === null || raw === '' || raw === '0') return undefined
  if (!/^\d+$/.test(raw)) throw statusFor('BadRequest', `invalid resourceVersion "${raw}": the fake's resourceVersions are integers`)
  return Number(raw)
}

function timeoutOf(url: URL): number {
  const raw = url.searchParams.get('timeoutSeconds')
  if (raw === null || raw === '') return 0
  if (!/^\d+$/.test(raw)) throw statusFor('BadRequest', `invalid timeoutSeconds "${raw}"`)
  return Number(raw)
}
