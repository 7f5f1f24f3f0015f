// Tells this process's event streams that a run has new events. Streams also poll the database, so an event written
// by another cluster-api process reaches them within one poll; this only makes the same process's streams prompt.

import { EventEmitter } from 'node:events'

export class RunFeed {
  readonly #emitter = new EventEmitter().setMaxListeners(0)

  notify(runId: string): void {
    this.#emitter.emit(runId)
  }

  /** Resolves on the next notify(runId), after `ms`, or when `signal` aborts, whichever comes first. */
  wait(runId: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#emitter.off(runId, done)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#emitter.on(runId, done)
      signal.addEventListener('abort', done, { once: true })
    })
  }
}
