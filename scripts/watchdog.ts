// The platform's watchdog: outlives a platform process killed with SIGKILL and ends what it left running (workerd,
// PostgreSQL), so that its children die with it. `node scripts/watchdog.ts <dataDir> <platform pid> <instance>`,
// started by startPlatform with a pipe on stdin that only the platform writes to: `stopped` on it means the platform
// shut down in order; end of file without it means the platform died.

import { PostgresInUseError } from '../cluster-api/src/db/leftover-postgres.ts'
import { waitUntilGone } from '../cluster-api/src/db/os-processes.ts'
import { releaseLockOf } from './instance-lock.ts'
import { endLeftovers, WATCHDOG_STOPPED } from './leftovers.ts'

/**
 * Until the dead platform is fully gone its children may not yet be handed to init, and its PostgreSQL would still
 * look owned. Exiting takes the kernel microseconds; this only bounds a platform stuck in uninterruptible I/O.
 */
const OWNER_EXIT_WAIT_MS = 10_000

const [dataDir, ownerArg, instance] = process.argv.slice(2)
const owner = Number(ownerArg)
if (!dataDir || !Number.isInteger(owner) || owner <= 0 || !instance) {
  console.error('usage: node scripts/watchdog.ts <dataDir> <platform pid> <instance>')
  process.exit(2)
}

// Ctrl-C and a SIGTERM to the process group reach the watchdog too; the platform is stopping in order then, and the
// watchdog leaves when it has.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {})

let said = ''
let fired = false
async function onEnd(): Promise<void> {
  if (fired) return
  fired = true
  if (said.includes(WATCHDOG_STOPPED)) process.exit(0)
  await waitUntilGone(owner, OWNER_EXIT_WAIT_MS)
  try {
    const ended = await endLeftovers(dataDir!, instance)
    if (ended.length > 0) console.error(`myintell: the platform (pid ${owner}) died without stopping; ended its ${ended.join(', ')}`)
  } catch (error) {
    // A newer platform took the data directory over and owns its PostgreSQL now.
    if (!(error instanceof PostgresInUseError)) console.error(`myintell watchdog: ${(error as Error).message}`)
  }
  releaseLockOf(dataDir!, owner)
  process.exit(0)
}

process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk: string) => { said += chunk })
process.stdin.on('end', () => void onEnd())
process.stdin.on('close', () => void onEnd())
process.stdin.on('error', () => void onEnd())
