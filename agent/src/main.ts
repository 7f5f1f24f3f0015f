// Entry point of the superfriend runtime: one process per awake agent (or a warm-pool process awaiting assignment).
// Reads RUNTIME_ENV (wire/runtime.ts), listens, announces `{"event":"listening","port":n}` on stdout, drains on SIGTERM.
import { readSettings } from './config/env.ts'
import type { RuntimeSettings } from './config/env.ts'
import { createLogger } from './log.ts'
import { startRuntime } from './runtime.ts'

// A parent that died closes our stdout/stderr pipes: a later failed write there (a Node warning, say) must not become an
// uncaught 'error' that kills a runtime still serving. The logger handles its own broken pipe (log-destination.ts).
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})

const log = createLogger()
let settings: RuntimeSettings
try {
  settings = readSettings()
} catch (err) {
  log.fatal({ event: 'bad-config', message: (err as Error).message }, 'invalid configuration')
  log.flush()
  process.exitCode = 78 // EX_CONFIG
  await new Promise((r) => setTimeout(r, 50))
  process.exit(78)
}

const runtime = await startRuntime(settings, log)
process.stdout.write(`${JSON.stringify({ event: 'listening', port: runtime.port })}\n`)
log.info({ event: 'listening', port: runtime.port, warmPool: settings.config === null }, 'runtime listening')

let signalled = false
function onSignal(signal: NodeJS.Signals) {
  if (signalled) return
  signalled = true
  log.info({ event: 'draining', signal, inFlight: runtime.state.inFlight(), drainTimeoutMs: settings.drainTimeoutMs }, 'draining before exit')
  runtime.shutdown().then(
    ({ drained }) => {
      log.info({ event: 'exit', drained }, drained ? 'drained; exiting' : 'drain timeout; exiting')
      log.flush()
      setTimeout(() => process.exit(0), 20)
    },
    (err: Error) => {
      log.error({ event: 'shutdown-failed', message: err.message }, 'shutdown failed')
      log.flush()
      setTimeout(() => process.exit(1), 20)
    },
  )
}
process.on('SIGTERM', onSignal)
process.on('SIGINT', onSignal)
