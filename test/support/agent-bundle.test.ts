// The node project's global setup rebuilds the agent bundle only when it is missing or older than what it is built
// from, so a single test file run after an edit spawns current code and a run right after `npm run build` builds nothing.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { staleBundleReason } from './agent-bundle.ts'

const ROOT = join(import.meta.dirname, '../..')
const dirs: string[] = []
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }) })

/** A repository in miniature: each file written with the given modification time (seconds since the epoch). */
function repo(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'agent-bundle-'))
  dirs.push(root)
  for (const [path, mtime] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), '')
    utimesSync(join(root, path), mtime, mtime)
  }
  return root
}

describe('staleBundleReason', () => {
  it('asks for a build when there is no bundle', () => {
    expect(staleBundleReason(repo({ 'agent/src/main.ts': 100 }))).toBe('agent/dist/runtime.mjs is missing')
  })

  it('asks for a build when a source of the runtime, wire/ included, changed after the bundle', () => {
    expect(staleBundleReason(repo({ 'agent/dist/runtime.mjs': 200, 'agent/src/main.ts': 100, 'agent/src/chat/turn.ts': 300 })))
      .toBe('agent/src/chat/turn.ts changed')
    expect(staleBundleReason(repo({ 'agent/dist/runtime.mjs': 200, 'agent/src/main.ts': 100, 'wire/runtime.ts': 300 })))
      .toBe('wire/runtime.ts changed')
    expect(staleBundleReason(repo({ 'agent/dist/runtime.mjs': 200, 'agent/vite.config.ts': 300 })))
      .toBe('agent/vite.config.ts changed')
  })

  it('builds nothing when the bundle is newer than every source, or only tests changed', () => {
    expect(staleBundleReason(repo({ 'agent/dist/runtime.mjs': 200, 'agent/src/main.ts': 100, 'wire/runtime.ts': 100 }))).toBeNull()
    expect(staleBundleReason(repo({ 'agent/dist/runtime.mjs': 200, 'agent/src/log.test.ts': 300, 'wire/sse.test.ts': 300 }))).toBeNull()
  })

  it('has left the bundle this run spawns fresh (the node project\'s global setup)', () => {
    expect(staleBundleReason(ROOT)).toBeNull()
  })
})
