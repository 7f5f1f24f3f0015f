// Vitest global setup: rebuilds the agent runtime bundle (agent/dist/runtime.mjs) when it is missing or older than its
// sources, so that `npx vitest run <one file>` after an edit in agent/src or wire/ spawns the code as it is now.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { DEFAULT_RUNTIME_ENTRY } from '../../cluster-api/src/drivers/local/options.ts'

const ROOT = join(import.meta.dirname, '../..')
/** The bundle the local driver runs, relative to the repository. */
const AGENT_BUNDLE = relative(ROOT, DEFAULT_RUNTIME_ENTRY)
/** What the bundle is built from (test files excluded below): its sources, its build config, its dependencies. */
const AGENT_BUNDLE_INPUTS = ['agent/src', 'wire', 'agent/vite.config.ts', 'package-lock.json']

const isTest = (path: string) => /\.test\.ts$/.test(path)

/** Every file under `path` (or `path` itself), tests left out, with its modification time. */
function* files(path: string): Generator<[string, number]> {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) return
  if (!stat.isDirectory()) {
    yield [path, stat.mtimeMs]
    return
  }
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || isTest(entry.name)) continue
    const file = join(entry.parentPath, entry.name)
    yield [file, statSync(file).mtimeMs]
  }
}

/**
 * Why the bundle must be built (it is missing, or an input file changed after it), or null when it is fresh, as right
 * after `npm run build`, which `npm test` runs first.
 */
export function staleBundleReason(root: string, bundle = AGENT_BUNDLE, inputs = AGENT_BUNDLE_INPUTS): string | null {
  const built = statSync(join(root, bundle), { throwIfNoEntry: false })
  if (!built) return `${bundle} is missing`
  for (const input of inputs) {
    for (const [file, mtimeMs] of files(join(root, input))) if (mtimeMs > built.mtimeMs) return `${relative(root, file)} changed`
  }
  return null
}

/**
 * Builds as `npm run build` does (agent/vite.config.ts), but into a temporary folder, then moves the result in with a
 * rename of runtime.mjs last: a test run of another session spawning the bundle meanwhile finds the old one or the
 * new one, never an emptied folder. Chunk names carry a hash, so copying them over the old ones replaces nothing in use.
 */
export async function buildAgentBundle(root = ROOT): Promise<void> {
  const { build } = await import('vite')
  const out = mkdtempSync(join(tmpdir(), 'agent-bundle-'))
  const dist = join(root, 'agent/dist')
  // vitest sets NODE_ENV=test; `npm run build` runs with it unset, which vite reads as a production build.
  const nodeEnv = process.env.NODE_ENV
  try {
    process.env.NODE_ENV = 'production'
    await build({ configFile: join(root, 'agent/vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } })
    mkdirSync(dist, { recursive: true })
    for (const entry of readdirSync(out)) {
      if (entry !== 'runtime.mjs') cpSync(join(out, entry), join(dist, entry), { recursive: true })
    }
    const next = join(dist, `.runtime.mjs.${process.pid}`)
    copyFileSync(join(out, 'runtime.mjs'), next)
    renameSync(next, join(root, AGENT_BUNDLE))
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
    rmSync(out, { recursive: true, force: true })
  }
}

export default async function setup(): Promise<void> {
  const reason = staleBundleReason(ROOT)
  if (reason === null) return
  const startedAt = performance.now()
  await buildAgentBundle(ROOT)
  console.log(`agent bundle rebuilt (${reason}) in ${Math.round(performance.now() - startedAt)} ms`)
}
