// The cluster-api and agent images, checked without a Docker engine: the Dockerfiles are parsed
// and their properties asserted; every path they copy must exist in the repository.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { copySources, parseDockerfile } from './support/dockerfile.ts'
import type { Dockerfile, Stage } from './support/dockerfile.ts'
import { REPO_ROOT } from './support/terraform.ts'
import { RUNTIME_NODE_FLAGS } from '../../wire/runtime.ts'

// The cluster-api runs its .ts sources; the agent runtime runs the bundle its build stage makes from agent/src/main.ts
// (agent/vite.config.ts, as `npm run build` does) and ships no node_modules.
const images = [
  { dockerfile: 'cluster-api/Dockerfile', part: 'cluster-api', entry: 'cluster-api/src/main.ts', cmd: ['node', 'cluster-api/src/main.ts'], bundle: null, port: 8788, health: '/v1/health' },
  { dockerfile: 'agent/Dockerfile', part: 'agent', entry: 'agent/src/main.ts', cmd: ['node', ...RUNTIME_NODE_FLAGS, 'agent/dist/runtime.mjs'], bundle: 'agent/vite.config.ts', port: 8080, health: '/healthz' },
] as const

const load = (path: string): Dockerfile => parseDockerfile(readFileSync(join(REPO_ROOT, path), 'utf8'))
const final = (d: Dockerfile): Stage => d.stages.at(-1) as Stage
const find = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword)

describe.each(images)('$dockerfile', ({ dockerfile, part, entry, cmd, bundle, port, health }) => {
  it('builds in named stages from a Node 22 slim base', () => {
    const d = load(dockerfile)
    expect(d.stages.length).toBeGreaterThanOrEqual(2)
    for (const stage of d.stages) {
      expect(stage.name, stage.from).toBeTruthy()
      expect(stage.from).toMatch(/^node:22(\.\d+){0,2}-(bookworm-)?slim(@sha256:[a-f0-9]{64})?$/)
    }
  })

  it('installs only production dependencies from the lockfile', () => {
    const d = load(dockerfile)
    const installs = d.stages.flatMap((s) => find(s, 'RUN')).filter((r) => /\bnpm (ci|install)\b/.test(r.args))
    expect(installs.length).toBeGreaterThan(0)
    for (const r of installs) {
      expect(r.args).toMatch(/\bnpm ci\b/)
      expect(r.args).toContain('--omit=dev')
    }
    // The final stage installs nothing itself: it takes node_modules (or, for a bundle, the bundle) from the first stage.
    expect(find(final(d), 'RUN').some((r) => /\bnpm\b/.test(r.args))).toBe(false)
    const shipped = bundle ? 'dist' : 'node_modules'
    expect(find(final(d), 'COPY').some((c) => copySources(c).from === d.stages[0]?.name && c.args.includes(shipped))).toBe(true)
  })

  it('runs as the non-root uid 10001', () => {
    const users = find(final(load(dockerfile)), 'USER')
    expect(users.at(-1)?.args).toMatch(/^10001(:10001)?$/)
    expect(find(final(load(dockerfile)), 'RUN').some((r) => r.args.includes('--uid 10001'))).toBe(true)
  })

  it(`checks its health on ${health} at the port it exposes`, () => {
    const s = final(load(dockerfile))
    const check = find(s, 'HEALTHCHECK')
    expect(check).toHaveLength(1)
    expect(check[0]?.args).toContain(health)
    expect(check[0]?.args).toContain(`process.env.PORT || ${port}`)
    expect(find(s, 'EXPOSE').map((e) => e.args)).toEqual([String(port)])
    const env = find(s, 'ENV').map((e) => e.args).join(' ')
    expect(env).toContain(`PORT=${port}`)
    // A pod is reached on its pod IP, so the server must not bind loopback only.
    expect(env).toContain('HOST=0.0.0.0')
    expect(env).toContain('NODE_ENV=production')
  })

  it('starts the part with Node from its entry file (the agent: from the bundle built from it, with its Node flags)', () => {
    const d = load(dockerfile)
    expect(JSON.parse(find(final(d), 'CMD').at(-1)?.args ?? '[]')).toEqual(cmd)
    expect(existsSync(join(REPO_ROOT, entry)), entry).toBe(true)
    if (bundle) {
      expect(d.stages[0]!.instructions.some((i) => i.keyword === 'RUN' && i.args.includes(`vite build --config ${bundle}`))).toBe(true)
      expect(existsSync(join(REPO_ROOT, bundle)), bundle).toBe(true)
    }
  })

  it('copies the wire contract and its own sources, and every copied path exists', () => {
    const d = load(dockerfile)
    const copied = d.stages.flatMap((s) => find(s, 'COPY')).map(copySources).filter((c) => c.from === undefined).flatMap((c) => c.sources)
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'wire/', `${part}/`]))
    for (const source of copied) expect(existsSync(join(REPO_ROOT, source)), source).toBe(true)
  })
})

/** Non-test .ts files of a folder: what the image runs. */
function runtimeSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : runtimeSources(path)
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : []
  })
}

describe.each(images)('the $part image contents', ({ part }) => {
  it('hold every file its runtime code imports: its own folder and wire/ only', () => {
    const outside: string[] = []
    const targets: string[] = []
    for (const file of [...runtimeSources(join(REPO_ROOT, part)), ...runtimeSources(join(REPO_ROOT, 'wire'))]) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = relative(REPO_ROOT, resolve(dirname(file), spec as string))
        targets.push(target)
        if (!target.startsWith(`${part}/`) && !target.startsWith('wire/')) outside.push(`${relative(REPO_ROOT, file)} → ${target}`)
      }
    }
    expect(targets.some((t) => t.startsWith('wire/')), 'the scan sees imports of wire/').toBe(true)
    expect(outside).toEqual([])
  })

  it('needs only production dependencies at run time (npm ci --omit=dev leaves out the rest)', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    const missing = new Set<string>()
    const seen = new Set<string>()
    const files = [...runtimeSources(join(REPO_ROOT, part)), ...runtimeSources(join(REPO_ROOT, 'wire'))]
      // drizzle-kit configs are copied but only ever run by the drizzle-kit CLI on a developer machine.
      .filter((f) => !f.endsWith('drizzle.config.ts'))
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(import|export)(\s+type)?\b[^'\n]*?from\s*'([^.'][^']*)'|import\(\s*'([^.'][^']*)'\s*\)/gm)) {
        if (m[2]) continue // `import type` is erased by type stripping
        const spec = (m[3] ?? m[4]) as string
        if (spec.startsWith('node:')) continue
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string)
        seen.add(name)
        if (!(name in pkg.dependencies)) missing.add(`${name} (${relative(REPO_ROOT, file)})`)
      }
    }
    expect(seen.has('hono'), 'the scan sees package imports').toBe(true)
    expect([...missing]).toEqual([])
  })
})

describe('.dockerignore', () => {
  it('keeps dependencies, local data, git, test output and secrets out of the build context', () => {
    const entries = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim())
    for (const e of ['node_modules', '.data', '.git', 'test-output', '.env', '.dev.vars', '**/*.tfvars']) expect(entries, e).toContain(e)
  })

  it('does not exclude anything the images copy', () => {
    const entries = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim())
    for (const e of ['wire', 'cluster-api', 'agent', 'package.json', 'package-lock.json']) expect(entries).not.toContain(e)
  })
})
