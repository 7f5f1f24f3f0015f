// `npm run bench -- <name>` runs bench/<name>.ts. Benchmarks print figures; they are never part of `npm test`.

import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.slice(0, -3))
const name = process.argv[2]
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ') || '(none yet)'}`)
  process.exit(2)
}
await import(join(here, `${name}.ts`))
