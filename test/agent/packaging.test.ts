// The runtime bundle as the image packages it: agent/Dockerfile's runtime stage copied file for file into a temporary
// folder and started there. With its migrations it listens; without them it stops at once, one line, exit code 70.
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { RUNTIME_NODE_FLAGS } from '../../wire/runtime.ts'
import { parseDockerfile } from '../../infra/test/support/dockerfile.ts'
import { agentConfig } from './support/agent-config.ts'
import { TEST_CONTROL_TOKEN, TEST_SECRET } from './support/runtime-process.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
/** Long enough for a cold start on a busy machine; the old behaviour (retrying the database) never exits at all. */
const EXIT_WAIT_MS = 15_000
const UNREACHABLE_DB = 'postgres://agent:not-a-password@127.0.0.1:1/tenant_gone'

/** The runtime stage's `COPY --from=<build stage>` instructions: [path in the repository, path in the image]. */
function imageCopies(): { workdir: string; copies: Array<[string, string]>; entry: string } {
  const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'agent/Dockerfile'), 'utf8'))
  const build = dockerfile.stages[0]!
  const runtime = dockerfile.stages.at(-1)!
  const buildDir = build.instructions.findLast((i) => i.keyword === 'WORKDIR')!.args
  const workdir = runtime.instructions.findLast((i) => i.keyword === 'WORKDIR')!.args
  const copies = runtime.instructions
    .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from='))
    .map((i): [string, string] => {
      const [, from, to] = i.args.split(/\s+/) as [string, string, string]
      return [from.replace(`${buildDir}/`, ''), to]
    })
  const cmd = JSON.parse(runtime.instructions.findLast((i) => i.keyword === 'CMD')!.args) as string[]
  return { workdir, copies, entry: cmd.at(-1)! }
}

const folders: string[] = []
afterAll(() => { for (const folder of folders) rmSync(folder, { recursive: true, force: true }) })

/** Lays the built bundle out as the image does (optionally leaving some copies out) in a fresh folder. */
function stageImage(leaveOut: (to: string) => boolean = () => false): string {
  const { copies } = imageCopies()
  const folder = mkdtempSync(join(tmpdir(), 'agent-image-'))
  folders.push(folder)
  for (const [from, to] of copies) if (!leaveOut(to)) cpSync(join(ROOT, from), join(folder, to), { recursive: true })
  return folder
}

interface Started { code: number | null; stdout: string; stderr: string; listening: boolean }

/** Starts the staged entry; resolves on its `listening` line (then stops it) or on exit, whichever comes first. */
function start(folder: string): Promise<Started> {
  const child = spawn(process.execPath, [...RUNTIME_NODE_FLAGS, join(folder, imageCopies().entry)], {
    cwd: folder,
    env: {
      PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info',
      EDGE_SIGNING_SECRET: TEST_SECRET, MYINTELL_CONTROL_TOKEN: TEST_CONTROL_TOKEN,
      MYINTELL_AGENT_CONFIG: JSON.stringify(agentConfig(UNREACHABLE_DB)),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = { stdout: '', stderr: '', listening: false }
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { out.stderr += chunk })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`runtime neither listened nor exited; stderr:\n${out.stderr}`)) }, EXIT_WAIT_MS)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out.stdout += chunk
      if (!out.listening && out.stdout.includes('"event":"listening"')) {
        out.listening = true
        child.kill('SIGTERM')
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, ...out })
    })
  })
}

describe('the runtime as its image packages it', () => {
  it('copies the migrations where the runtime looks for them, so it starts', async () => {
    expect(imageCopies().copies.map(([, to]) => to)).toContain('./agent/drizzle')
    const started = await start(stageImage())
    expect(started.listening, started.stderr).toBe(true)
    expect(started.stderr).not.toContain('migrations-missing')
  })

  it('without its migrations, exits at once with code 70 and one clear log line, before listening', async () => {
    // start() rejects if the runtime neither listens nor exits within EXIT_WAIT_MS (the old behaviour: it retried).
    const started = await start(stageImage((to) => to.endsWith('/drizzle')))
    expect(started.code, started.stderr).toBe(70)
    expect(started.listening).toBe(false)

    const lines = started.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 60, event: 'migrations-missing' })
    expect(String(lines[0]!.message)).toContain('drizzle/meta/_journal.json')
    // A packaging error, not a database fault: the database was never tried (and its URL never logged).
    expect(started.stderr).not.toContain('tenant-db-unavailable')
    expect(started.stderr).not.toContain(UNREACHABLE_DB)
  })
})
