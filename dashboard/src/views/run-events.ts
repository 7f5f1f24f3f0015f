// A run's events (cluster-api/src/runs: `attempt`, the chat turn's `delta` and tool events, `retry`, `error`,
// `status`) folded into what the run page shows: the reply so far, its tool steps, and notes on attempts.
import type { RunEvent } from '../api/runs.ts'
import { addStepEvent, type ToolStep } from './chat-history.ts'

/** What a run's events say so far: the reply text, the tool steps, and the attempt and status notes. */
export interface LiveRun { text: string; steps: ToolStep[]; events: number; notes: string[]; status: string | null }

export function applyRunEvent(live: LiveRun, e: RunEvent): LiveRun {
  const next = { ...live, events: live.events + 1 }
  const d = e.data
  switch (e.event) {
    case 'delta': return { ...next, text: next.text + String(d.text ?? '') }
    case 'tool-call': return { ...next, steps: addStepEvent(next.steps, { type: 'tool-call', id: String(d.id), name: String(d.name), args: d.args }) }
    case 'tool-result': return { ...next, steps: addStepEvent(next.steps, { type: 'tool-result', id: String(d.id), name: String(d.name), result: d.result, isError: d.isError === true }) }
    // A retried attempt says the reply again from its start.
    case 'attempt': {
      const n = Number(d.attempt)
      return { ...next, text: '', steps: [], notes: n > 1 ? [...next.notes, `Attempt ${n}${d.of ? ` of ${String(d.of)}` : ''}`] : next.notes }
    }
    case 'retry': {
      const reason = (typeof d.error === 'object' && d.error !== null ? d.error : {}) as { code?: unknown; message?: unknown }
      return { ...next, notes: [...next.notes, `Retrying: ${String(reason.message ?? reason.code ?? '')}`] }
    }
    case 'error': return { ...next, notes: [...next.notes, `Error: ${String(d.message ?? d.code ?? '')}`] }
    case 'status': return { ...next, status: String(d.status ?? '') }
    default: return next
  }
}


export const EMPTY_LIVE_RUN: LiveRun = { text: '', steps: [], events: 0, notes: [], status: null }
