// When a warm gate is due to forget "warm" by itself: its idle time after the last activity. GATE_IDLE_MS=0 (an
// agent that never idles out, MYINTELL_IDLE_TIMEOUT_MS=0) never is; "no endpoints" or a route lookup still are.

/** Epoch ms at which a gate with this last activity goes cold, or null when it never does by itself. */
export function idleDueAt(lastActivityAt: number, gateIdleMs: number): number | null {
  return gateIdleMs > 0 ? lastActivityAt + gateIdleMs : null
}

/** Due by `now`, with no stream open (an open stream is activity that sends no report). */
export function isIdle(lastActivityAt: number, gateIdleMs: number, openStreams: number, now: number): boolean {
  const due = idleDueAt(lastActivityAt, gateIdleMs)
  return due !== null && due <= now && openStreams === 0
}
