// The store's change history: every write as a watch event under its resourceVersion, pushed to open watches
// as it happens and kept for a bounded window, as etcd keeps its history until a compaction.

import type { ResourceType } from './resources.ts'
import { clone, type JsonObject } from './patches.ts'

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface Change {
  /** The resourceVersion the change was written at. */
  revision: number
  type: ChangeType
  resource: ResourceType
  /** The object after the change; for DELETED its last state, carrying the deletion's resourceVersion. */
  object: JsonObject
  /** The object before a MODIFIED change: a watch with a selector sees an object enter or leave it. */
  previous: JsonObject | undefined
}

/** How many changes the history keeps by default; older resourceVersions are "too old" to watch from. */
export const DEFAULT_HISTORY_LIMIT = 1_000

export class ChangeLog {
  private readonly changes: Change[] = []
  private readonly listeners = new Set<(change: Change) => void>()
  private readonly limit: number
  /** Every change after this revision is kept: a watch can start from here or later. */
  private oldestWatchable = 1

  constructor(limit = DEFAULT_HISTORY_LIMIT) {
    this.limit = limit
  }

  record(change: Change): void {
    const kept = { ...change, object: clone(change.object), previous: change.previous && clone(change.previous) }
    this.changes.push(kept)
    while (this.changes.length > this.limit) this.oldestWatchable = (this.changes.shift() as Change).revision
    for (const listener of [...this.listeners]) listener(kept)
  }

  /** The changes after `revision`, oldest first; undefined when some of them were already dropped. */
  since(revision: number): Change[] | undefined {
    if (revision < this.oldestWatchable) return undefined
    return this.changes.filter((c) => c.revision > revision)
  }

  /** The oldest resourceVersion a watch can still start from. */
  get oldestRevision(): number {
    return this.oldestWatchable
  }

  /** Drops the history up to `revision`, as an etcd compaction does: watches from before it get 410 Expired. */
  compact(revision: number): void {
    while (this.changes.length > 0 && (this.changes[0] as Change).revision <= revision) this.changes.shift()
    this.oldestWatchable = Math.max(this.oldestWatchable, revision)
  }

  /** Calls `listener` with every change from now on; returns the unsubscribe function. */
  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }
}
