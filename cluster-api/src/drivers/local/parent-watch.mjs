// Preloaded (`node --import`) into every runtime the local driver spawns: the runtime dies with its cluster-api.
// stdin is a pipe whose only writer is the parent; EOF means the parent is gone (even after SIGKILL).
// Plain JavaScript on purpose: a .ts preload would make Node load its TypeScript stripper (~15 MB resident) into
// every runtime, which itself runs from a pre-built bundle (agent/dist/runtime.mjs).

import { Worker } from 'node:worker_threads'

/**
 * How long the runtime's own SIGTERM handling gets before a forced SIGKILL (ms). No drain is owed: every client
 * connection came through the parent's ingress and died with it. Short, and not tied to MYINTELL_DRAIN_TIMEOUT_MS.
 */
const PARENT_GONE_GRACE_MS = 2_000

let fired = false
function onParentGone() {
  if (fired) return
  fired = true
  // The forced kill runs on its own thread: with the parent gone, stdout/stderr are broken pipes, and whatever the
  // entry does with them (the agent runtime's logger drops lines; another entry might retry a write synchronously)
  // must not keep it alive. A timer on the main thread could be blocked along with it.
  new Worker(`setTimeout(() => process.kill(${process.pid}, 'SIGKILL'), ${PARENT_GONE_GRACE_MS})`, { eval: true }).unref()
  process.kill(process.pid, 'SIGTERM')
}

if (!process.stdin.isTTY) {
  process.stdin.on('end', onParentGone)
  process.stdin.on('close', onParentGone)
  process.stdin.on('error', onParentGone)
  process.stdin.resume()
  // Watching stdin must not keep an otherwise finished runtime alive.
  process.stdin.unref?.()
}
