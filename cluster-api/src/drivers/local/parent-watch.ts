// Preloaded (`node --import`) into every runtime the local driver spawns: the runtime dies with its cluster-api.
// stdin is a pipe whose only writer is the parent; EOF means the parent is gone (even after SIGKILL), so we SIGTERM ourselves.

// The runtime's own SIGTERM handler drains; if it does not exit, this bound ends the process anyway.
const DRAIN_TIMEOUT_MS = Number(process.env.MYINTELL_DRAIN_TIMEOUT_MS ?? '30000') || 0
/** Extra time past the drain timeout before a forced exit (ms): lets the drained runtime close its sockets. */
const FORCED_EXIT_GRACE_MS = 2_000

let fired = false
function onParentGone(): void {
  if (fired) return
  fired = true
  setTimeout(() => process.exit(1), DRAIN_TIMEOUT_MS + FORCED_EXIT_GRACE_MS).unref()
  process.kill(process.pid, 'SIGTERM')
}

if (!process.stdin.isTTY) {
  process.stdin.on('end', onParentGone)
  process.stdin.on('close', onParentGone)
  process.stdin.on('error', onParentGone)
  process.stdin.resume()
  // Watching stdin must not keep an otherwise finished runtime alive.
  ;(process.stdin as unknown as { unref?: () => void }).unref?.()
}
