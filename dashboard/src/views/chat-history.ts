// A stored conversation as chat bubbles. The runtime keeps each tool step of a turn as its own message (role
// `tool-call` or `tool-result`, with a `tool` field) between the user's message and the reply; the live stream
// shows those steps folded into the reply, so a reopened conversation must look the same, not like empty replies.
import type { Message } from '../api/superfriend.ts'

/** A tool the model called during a reply, and what it got back (shown folded, as a step of the reply). */
export interface ToolStep { id: string; name: string; args: unknown; result?: unknown; isError?: boolean }

export interface Bubble {
  key: string
  steps?: ToolStep[]
  role: 'user' | 'assistant'
  text: string
  /** Number of delta events this reply arrived in (streaming shows as more than one). */
  deltas: number
  streaming: boolean
  error?: string
}

/** A step's call, or its result matched to the call by id (a result without a call is shown on its own). */
export function addStepEvent(steps: ToolStep[] | undefined, event:
  | { type: 'tool-call'; id: string; name: string; args: unknown }
  | { type: 'tool-result'; id: string; name: string; result: unknown; isError: boolean }): ToolStep[] {
  const list = steps ?? []
  if (event.type === 'tool-call') return [...list, { id: event.id, name: event.name, args: event.args }]
  return list.some((step) => step.id === event.id)
    ? list.map((step) => (step.id === event.id ? { ...step, result: event.result, isError: event.isError } : step))
    : [...list, { id: event.id, name: event.name, args: undefined, result: event.result, isError: event.isError }]
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

/** The stored messages of one conversation, oldest first, as the bubbles the live chat would have shown. */
export function bubblesFromMessages(messages: readonly Message[]): Bubble[] {
  const bubbles: Bubble[] = []
  // Steps seen since the last user message, waiting for the reply they belong to.
  let pending: ToolStep[] | undefined
  let pendingKey: string | undefined
  for (const m of messages) {
    if (m.role === 'tool-call' || m.role === 'tool-result') {
      const tool = isRecord(m.tool) ? m.tool : {}
      const id = typeof tool.id === 'string' ? tool.id : `m${m.id}`
      const name = typeof tool.name === 'string' ? tool.name : 'tool'
      pending = addStepEvent(pending, m.role === 'tool-call'
        ? { type: 'tool-call', id, name, args: tool.args }
        : { type: 'tool-result', id, name, result: tool.result, isError: tool.isError === true || m.status === 'error' })
      pendingKey ??= `m${m.id}`
      continue
    }
    if (m.role === 'system') continue
    if (m.role === 'user') {
      flush()
      bubbles.push({ key: `m${m.id}`, role: 'user', text: m.content, deltas: 0, streaming: false })
      continue
    }
    bubbles.push({
      key: `m${m.id}`, role: 'assistant', text: m.content, deltas: 0, streaming: false,
      ...(pending ? { steps: pending } : {}),
      ...(m.error ? { error: m.error } : {}),
    })
    pending = undefined
    pendingKey = undefined
  }
  flush()
  return bubbles

  // Steps with no reply after them (the turn failed before one was stored): a reply of steps alone.
  function flush() {
    if (pending && pendingKey) bubbles.push({ key: pendingKey, role: 'assistant', text: '', deltas: 0, streaming: false, steps: pending })
    pending = undefined
    pendingKey = undefined
  }
}
