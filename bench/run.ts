// `npm run bench -- <name>` runs bench/<name>.ts. Benchmarks print figures; they are never part of `npm test`.

import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildAgentBundle, staleBundleReason } from '../test/support/agent-bundle.ts'

const here = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.slice(0, -3))
const name = process.argv[2]
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ') || '(none yet)'}`)
  process.exit(2)
}
// Benchmarks that spawn the agent runtime measure the current sources: rebuild a stale bundle as the tests do.
const stale = staleBundleReason(join(here, '..'))
if (stale) {
  console.error(`agent runtime bundle: ${stale}; rebuilding`)
  await buildAgentBundle(join(here, '..'))
}
await import(join(here, `${name}.ts`))
