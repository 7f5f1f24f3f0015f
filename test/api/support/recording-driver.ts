// An in-memory WorkloadDriver that records what the cluster-api asks of it. Tests of the API's side of
// the driver contract use it; the real drivers have their own suites under cluster-api/src/drivers/.

import { EventEmitter } from 'node:events'
import type { WorkloadStatus } from '../../../wire/internal-api.ts'
import type { WorkloadState } from '../../../wire/internal-api.ts'
import type { AgentSpec, StateListener, WorkloadDriver } from '../../../cluster-api/src/drivers/types.ts'

export interface RecordingDriver extends WorkloadDriver {
  calls: Array<{ op: string; agentId: string; spec?: AgentSpec; at?: number; openStreams?: number }>
  /** Makes the next status calls of `agentId` report ready. */
  markReady(agentId: string): void
  /** The agent's workload moves to `state` by itself (an idle-out: cold; a crash: waking), as a real driver sees it. */
  setState(agentId: string, state: WorkloadState): void
  closed: boolean
}

export interface RecordingDriverOptions {
  /** Implement waitUntilReady, as the local driver does: a status long poll then waits on it instead of polling. */
  announcesReadiness?: boolean
  /** Implement watchStates, as the real drivers do: every change of an agent's state is told to listeners. */
  tellsStates?: boolean
}

export function createRecordingDriver(options: RecordingDriverOptions = {}): RecordingDriver {
  const states = new Map<string, WorkloadStatus>()
  const ready = new EventEmitter()
  const listeners = new Set<StateListener>()
  /** Stores the agent's new status and tells it, when its state changed. */
  const moveTo = (next: WorkloadStatus) => {
    const changed = states.get(next.agentId)?.state !== next.state
    states.set(next.agentId, next)
    if (changed && options.tellsStates) for (const listener of [...listeners]) listener(next)
  }
  const driver: RecordingDriver = {
    name: 'local',
    calls: [],
    closed: false,
    async ensure(spec) {
      driver.calls.push({ op: 'ensure', agentId: spec.agentId, spec })
      if (!states.has(spec.agentId)) states.set(spec.agentId, { agentId: spec.agentId, state: 'cold', ready: false, replicas: 0 })
    },
    async remove(agentId) {
      driver.calls.push({ op: 'remove', agentId })
      states.delete(agentId)
    },
    async wake(agentId) {
      driver.calls.push({ op: 'wake', agentId })
      const current = states.get(agentId)
      const next: WorkloadStatus = current?.ready ? current : { agentId, state: 'waking', ready: false, replicas: 1 }
      moveTo(next)
      return next
    },
    async status(agentId) {
      driver.calls.push({ op: 'status', agentId })
      return states.get(agentId) ?? { agentId, state: 'cold', ready: false, replicas: 0 }
    },
    async touch(agentId, at, openStreams) {
      driver.calls.push({ op: 'touch', agentId, at, openStreams })
    },
    async list() {
      return [...states.values()]
    },
    async close() {
      driver.closed = true
    },
    markReady(agentId) {
      moveTo({ agentId, state: 'ready', ready: true, replicas: 1 })
      ready.emit(agentId)
    },
    setState(agentId, state) {
      moveTo({ agentId, state, ready: state === 'ready', replicas: state === 'cold' ? 0 : 1 })
    },
  }
  if (options.tellsStates) {
    driver.watchStates = (listener) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    }
  }
  if (options.announcesReadiness) {
    driver.waitUntilReady = (agentId, signal) => new Promise<void>((resolve, reject) => {
      driver.calls.push({ op: 'waitUntilReady', agentId })
      const state = states.get(agentId)
      if (state?.ready) return resolve()
      if (state?.state !== 'waking') return reject(new Error('agent is not waking'))
      const done = () => {
        signal.removeEventListener('abort', aborted)
        resolve()
      }
      const aborted = () => {
        ready.off(agentId, done)
        reject(new Error('aborted'))
      }
      ready.once(agentId, done)
      signal.addEventListener('abort', aborted, { once: true })
    })
  }
  return driver
}
