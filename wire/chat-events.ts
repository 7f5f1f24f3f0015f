// The events of a chat turn as every transport carries them (SSE `event:` names and WebSocket `type`s), so the
// runtime, the dashboard, the CLI and the runs of issue 17 read the same shapes.

export interface ToolCallEvent {
  type: 'tool-call'
  /** The model's id for this call; the result carries the same. */
  id: string
  /** A built-in tool (`memory`, …), an MCP tool (`<server>__<tool>`) or a delegate. */
  name: string
  args: unknown
}

export interface ToolResultEvent {
  type: 'tool-result'
  id: string
  name: string
  /** What the model saw: the tool's output, or `{ error }` when the tool failed (the turn goes on). */
  result: unknown
  isError: boolean
}

export type ToolEvent = ToolCallEvent | ToolResultEvent
