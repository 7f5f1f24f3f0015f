// An agent's runs and schedules on the platform API (cluster-api/src/runs, src/schedules): a run is one turn no open
// request waits for; a schedule fires runs. A run's events stream as SSE, read with fetch (EventSource cannot send
// the Authorization header) and resumed with `?after=<last id>` rather than a Last-Event-ID header, so the request
// stays within the headers the API's CORS already allows.

import { hosts } from './hosts.ts'
import { authHeaders, problemFrom, requestJson, SESSION_ENDED_EVENT, type Credentials } from './http.ts'
import { createSseParser } from './sse.ts'

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled']

export interface Run {
  id: string; agentId: string; status: RunStatus; trigger: 'api' | 'schedule'; scheduleId: string | null
  input: string; output: string | null; error: { code: string; message: string } | null
  usage: { inputTokens: number; outputTokens: number } | null; conversationId: string | null; attempts: number
  createdAt: string; startedAt: string | null; finishedAt: string | null
}

export interface Schedule {
  id: string; agentId: string; input: string; kind: 'cron' | 'at' | 'every'
  cron: string | null; timezone: string | null; at: string | null; every: string | null; paused: boolean
  /** The next fire; null when paused or a one-shot that already fired. */
  nextRunAt: string | null; lastRunAt: string | null; lastRunId: string | null; createdAt: string; updatedAt: string
}

export type ScheduleTiming = { cron: string; timezone?: string } | { at: string } | { every: string }

/** One stored event of a run: `id` is its sequence number, `event` its type (`delta`, `status`, …). */
export interface RunEvent { id: number; event: string; data: Record<string, unknown> }

const api = (path: string) => `${hosts.apiUrl}${path}`
const runsPath = (agentId: string, rest = '') => api(`/v1/agents/${encodeURIComponent(agentId)}/runs${rest}`)
const schedulesPath = (agentId: string, rest = '') => api(`/v1/agents/${encodeURIComponent(agentId)}/schedules${rest}`)

export const listRuns = (c: Credentials, agentId: string, signal?: AbortSignal) =>
  requestJson<{ items: Run[] }>(runsPath(agentId), c, { query: { limit: 50 }, signal }).then((r) => r.items)
export const getRun = (c: Credentials, agentId: string, runId: string) =>
  requestJson<Run>(runsPath(agentId, `/${encodeURIComponent(runId)}`), c)
export const createRun = (c: Credentials, agentId: string, input: string) =>
  requestJson<Run>(runsPath(agentId), c, { method: 'POST', body: { input } })
export const cancelRun = (c: Credentials, agentId: string, runId: string) =>
  requestJson<Run>(runsPath(agentId, `/${encodeURIComponent(runId)}/cancel`), c, { method: 'POST' })

export const listSchedules = (c: Credentials, agentId: string) =>
  requestJson<{ items: Schedule[] }>(schedulesPath(agentId), c, { query: { limit: 100 } }).then((r) => r.items)
export const createSchedule = (c: Credentials, agentId: string, body: { input: string } & ScheduleTiming) =>
  requestJson<Schedule>(schedulesPath(agentId), c, { method: 'POST', body })
export const updateSchedule = (c: Credentials, agentId: string, id: string, patch: { paused?: boolean; input?: string }) =>
  requestJson<Schedule>(schedulesPath(agentId, `/${encodeURIComponent(id)}`), c, { method: 'PATCH', body: patch })
export const deleteSchedule = (c: Credentials, agentId: string, id: string) =>
  requestJson<void>(schedulesPath(agentId, `/${encodeURIComponent(id)}`), c, { method: 'DELETE' })

/**
 * Streams a run's events after `after` until the run ends (the API closes the stream after the final `status`).
 * A dropped connection is resumed from the last event seen, so no event is shown twice or missed.
 */
export async function streamRunEvents(
  c: Credentials, agentId: string, runId: string, onEvent: (event: RunEvent) => void, signal: AbortSignal, after = 0,
): Promise<void> {
  let last = after
  for (let attempt = 0; !signal.aborted; attempt++) {
    let finished = false
    try {
      const headers = authHeaders(c)
      headers.set('accept', 'text/event-stream')
      const response = await fetch(`${runsPath(agentId, `/${encodeURIComponent(runId)}/events`)}?after=${last}`, { headers, signal })
      if (!response.ok) {
        if (response.status === 401) window.dispatchEvent(new Event(SESSION_ENDED_EVENT))
        throw await problemFrom(response)
      }
      if (!response.body) throw new Error('the event stream has no body')
      // The shared parser leaves out `id:`; a run's events are numbered 1, 2, 3 … with no gaps (runs/queries.ts
      // appendEvent) and the stream sends every one after `after` in order, so counting gives each its id.
      const parser = createSseParser(({ event, data }) => {
        const seq = ++last
        try {
          const parsed = JSON.parse(data) as Record<string, unknown>
          if (event === 'status' && FINISHED_RUN_STATUSES.includes(String(parsed.status) as RunStatus)) finished = true
          onEvent({ id: seq, event: event ?? 'message', data: parsed })
        } catch {
          // A frame we cannot read is skipped rather than ending the stream.
        }
      })
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        parser.push(value)
      }
      parser.end()
      if (finished) return
      attempt = 0
    } catch (error) {
      if (signal.aborted) return
      // A refusal (404, 422) will not change on a retry.
      if (error instanceof Error && 'status' in error && typeof error.status === 'number' && error.status >= 400 && error.status < 500) throw error
      if (attempt >= 5) throw error
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
}
