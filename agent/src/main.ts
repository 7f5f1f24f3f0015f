// Entry point of the superfriend runtime: one process per awake agent (or a warm-pool process awaiting assignment).
// Reads RUNTIME_ENV (wire/runtime.ts), listens, announces `{"event":"listening","port":n}` on stdout, drains on SIGTERM.
import { logLevelFor, readSettings } from './config/env.ts'
import type { RuntimeSettings } from './config/env.ts'
import { MigrationsNotFoundError } from './db/tenant-db.ts'
import { createLogger } from './log.ts'
import type { Logger } from './log.ts'
import { startRuntime } from './runtime.ts'
import type { RunningRuntime } from './runtime.ts'

// A parent that died closes our stdout/stderr pipes: a later failed write there (a Node warning, say) must not become an
// uncaught 'error' that kills a runtime still serving. The logger does not rely on this: it makes stderr non-blocking
// and handles a broken or full pipe itself (log-destination.ts).
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})

/** Bad configuration (sysexits EX_CONFIG): fix the environment. */
const EXIT_BAD_CONFIG = 78
/** A runtime packaged without its migrations (sysexits EX_SOFTWARE): a broken image; restarting it will not help. */
const EXIT_BROKEN_PACKAGE = 70
/** Any other failure before listening. */
const EXIT_START_FAILED = 1

/** One fatal line, then exit: the platform sees the code and the log says why. Log lines are written synchronously. */
function exitAtStart(log: Logger, code: number, fields: Record<string, unknown>, message: string): never {
  log.fatal(fields, message)
  log.flush()
  process.exit(code)
}

// The one place the runtime reads its environment: config/env.ts parses it.
let settings: RuntimeSettings
try {
  settings = readSettings(process.env)
} catch (err) {
  exitAtStart(createLogger(logLevelFor(process.env)), EXIT_BAD_CONFIG, { event: 'bad-config', message: (err as Error).message }, 'invalid configuration')
}
const log = createLogger(settings.logLevel)

let runtime: RunningRuntime
try {
  runtime = await startRuntime(settings, log)
} catch (err) {
  if (err instanceof MigrationsNotFoundError) {
    exitAtStart(log, EXIT_BROKEN_PACKAGE, { event: 'migrations-missing', message: err.message },
      'tenant database migrations are missing from this runtime\'s package; not starting')
  }
  exitAtStart(log, EXIT_START_FAILED, { event: 'start-failed', message: (err as Error).message }, 'runtime failed to start')
}
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
