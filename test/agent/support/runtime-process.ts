// Spawns the real runtime as the platform runs it (the bundle agent/dist/runtime.mjs, built by `npm run build`, with
// RUNTIME_NODE_FLAGS) as a child process on Node 22 and waits for its `listening` line. Tests talk to it over HTTP.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import { RUNTIME_NODE_FLAGS } from '../../../wire/runtime.ts'
import { DEFAULT_RUNTIME_ENTRY as RUNTIME_BUNDLE } from '../../../cluster-api/src/drivers/local/options.ts'

/** The test agent's own signing key (RuntimeConfig.signingKey): what the edge would derive for it. */
export const TEST_SECRET = '7e57'.repeat(16)
export const TEST_CONTROL_TOKEN = 'agent-test-control-token-0123456789'
const LISTEN_TIMEOUT_MS = 20_000

export interface RuntimeProcess {
  port: number
  baseUrl: string
  child: ChildProcess
  /** Everything the process wrote to stderr (its log), for assertions about logging. */
  stderr(): string
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>
  /** Sends SIGTERM and waits for exit; SIGKILLs if the process is still alive after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>
}

export async function spawnRuntime(opts: { config?: RuntimeConfig | null; env?: Record<string, string> } = {}): Promise<RuntimeProcess> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    MYINTELL_CONTROL_TOKEN: TEST_CONTROL_TOKEN,
    LOG_LEVEL: 'info',
    ...(opts.config ? { MYINTELL_AGENT_CONFIG: JSON.stringify(opts.config) } : {}),
    ...opts.env,
  }
  const child = spawn(process.execPath, [...RUNTIME_NODE_FLAGS, RUNTIME_BUNDLE], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not announce its port; stderr:\n${stderr}`)), LISTEN_TIMEOUT_MS)
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { event?: string; port?: number }
        if (msg.event === 'listening' && typeof msg.port === 'number') {
          clearTimeout(timer)
          resolve(msg.port)
        }
      } catch { /* not our line */ }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`runtime exited with ${code} before listening; stderr:\n${stderr}`))
    })
  })
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    stderr: () => stderr,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}

/** Polls /readyz until it answers 200 (the tenant database is migrated). */
export async function waitUntilReady(baseUrl: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const res = await fetch(`${baseUrl}/readyz`).catch(() => null)
    if (res?.status === 200) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('runtime never became ready')
}
