// Makes sure dashboard/dist is built from the current sources before the browser tests: `npm test` builds it
// first (build:dashboard); when the sources are newer than the build (a developer's loop), Vite builds it here.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { build } from 'vite'

const root = resolve(import.meta.dirname, '../../..')
const dashboard = join(root, 'dashboard')

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

export async function ensureDashboardBuilt(): Promise<void> {
  const built = join(dashboard, 'dist/index.html')
  const sources = Math.max(newestSource(join(dashboard, 'src')), statSync(join(dashboard, 'index.html')).mtimeMs,
    statSync(join(dashboard, 'vite.config.ts')).mtimeMs, statSync(join(root, 'wire/slug.ts')).mtimeMs)
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return
  await build({ configFile: join(dashboard, 'vite.config.ts'), logLevel: 'warn' })
}
