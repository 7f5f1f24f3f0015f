// One agent-runtime child process: spawn, learn its port from the `listening` line, probe it, stop it gracefully.
// Knows nothing about agents or pools; the supervisor and the warm pool decide what a process is for.

import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { RUNTIME_ENV, RUNTIME_NODE_FLAGS, RUNTIME_PATHS } from '../../../../wire/runtime.ts'
import type { RuntimeConfig } from '../../../../wire/runtime.ts'
import type { StructuredLogger } from '../../../../wire/logger.ts'

const PARENT_WATCH = fileURLToPath(new URL('./parent-watch.mjs', import.meta.url))

/** First probe retry delay (ms); a runtime that just printed its port usually answers within a few ms. */
const PROBE_INITIAL_DELAY_MS = 5
/** Probe retry delay cap (ms): keeps readiness detection within ~50 ms of the runtime becoming ready. */
const PROBE_MAX_DELAY_MS = 50
/** Bytes of stderr kept for the log line of a crash (the runtime logs JSON lines there). */
const STDERR_TAIL_BYTES = 2_048

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface SpawnRuntimeOptions {
  entry: string
  /** Environment every runtime gets (PATH, HOME, …, runtimeEnv); the runtime-contract variables are added here. */
  baseEnv: Record<string, string>
  platformUrl: string
  /** Passed as MYINTELL_DRAIN_TIMEOUT_MS. */
  drainTimeoutMs: number
  /** Present: a cold start for this agent. Absent: a generic warm-pool runtime. */
  config?: RuntimeConfig
  logger: StructuredLogger
  /** Identifies the process in log lines (agentId or `pool`). */
  label: Record<string, unknown>
}

export class StartAborted extends Error {
  constructor(message = 'runtime start aborted') {
    super(message)
    this.name = 'StartAborted'
  }
}

export class RuntimeProcess {
  readonly pid: number
  readonly controlToken: string
  readonly exited: Promise<ExitInfo>
  port: number | null = null
  exit: ExitInfo | null = null
  /** Set once stop() was called: an exit after this is not a crash. */
  stopping = false

  private readonly child: ChildProcess
  /** Probe requests sent, by path: a wake through the warm pool should send no /readyz (the assign answers it). */
  private readonly probes = new Map<string, number>()
  private readonly portReady: Promise<number>
  private stderrTail = ''

  constructor(options: SpawnRuntimeOptions) {
    this.controlToken = randomBytes(32).toString('base64url')
    const env: Record<string, string> = {
      ...options.baseEnv,
      [RUNTIME_ENV.port]: '0',
      [RUNTIME_ENV.host]: '127.0.0.1',
      [RUNTIME_ENV.controlToken]: this.controlToken,
      [RUNTIME_ENV.platformUrl]: options.platformUrl,
      [RUNTIME_ENV.drainTimeoutMs]: String(options.drainTimeoutMs),
    }
    if (options.config) env[RUNTIME_ENV.config] = JSON.stringify(options.config)
    // stdin stays an open pipe: parent-watch.mjs ends the runtime when it closes (the parent died).
    this.child = spawn(process.execPath, [...RUNTIME_NODE_FLAGS, '--import', PARENT_WATCH, options.entry], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    if (this.child.pid === undefined) {
      // spawn() failed synchronously (ENOENT/EAGAIN); the 'error' event follows.
      this.pid = -1
    } else {
      this.pid = this.child.pid
    }
    this.child.stdin?.on('error', () => {})

    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal }
        resolve(this.exit)
      })
      this.child.once('error', (err) => {
        if (this.exit) return
        options.logger.error({ ...options.label, err: { message: err.message } }, 'runtime process could not be spawned')
        this.exit = { code: null, signal: null }
        resolve(this.exit)
      })
    })

    this.portReady = new Promise((resolve, reject) => {
      const lines = createInterface({ input: this.child.stdout! })
      lines.on('line', (line) => {
        if (this.port === null && line.startsWith('{')) {
          try {
            const parsed = JSON.parse(line) as { event?: unknown; port?: unknown }
            if (parsed.event === 'listening' && typeof parsed.port === 'number') {
              this.port = parsed.port
              resolve(parsed.port)
              return
            }
          } catch {
            // not our announcement: fall through and log it as output
          }
        }
        options.logger.debug?.({ ...options.label, pid: this.pid, stream: 'stdout' }, line.slice(0, 1_000))
      })
      void this.exited.then((info) => reject(new Error(`runtime exited before listening (code ${info.code}, signal ${info.signal})`)))
    })
    this.portReady.catch(() => {})

    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.stderrTail = (this.stderrTail + line + '\n').slice(-STDERR_TAIL_BYTES)
      options.logger.debug?.({ ...options.label, pid: this.pid, stream: 'stderr' }, line.slice(0, 1_000))
    })
  }

  get alive(): boolean {
    return this.exit === null
  }

  /** The last lines the runtime wrote to stderr, for a crash's log line. */
  get recentStderr(): string {
    return this.stderrTail
  }

  /** Resolves with the port the runtime announced; rejects if it exits first or `signal` aborts. */
  waitForPort(signal: AbortSignal): Promise<number> {
    return raceAbort(this.portReady, signal)
  }

  /**
   * Polls `path` (/readyz or /healthz) until it answers 200. Rejects when the process exits or `signal` aborts;
   * the caller bounds the wait with the signal (AbortSignal.timeout / any).
   */
  async waitForProbe(path: string, signal: AbortSignal): Promise<void> {
    const port = await this.waitForPort(signal)
    let delay = PROBE_INITIAL_DELAY_MS
    for (;;) {
      if (!this.alive) throw new Error('runtime exited while starting')
      if (signal.aborted) throw new StartAborted()
      try {
        this.probes.set(path, this.probesSent(path) + 1)
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal })
        await res.body?.cancel()
        if (res.status === 200) return
      } catch (err) {
        if (signal.aborted) throw new StartAborted()
        void err // connection refused while the runtime starts up: retry
      }
      await raceAbort(sleep(delay), signal)
      delay = Math.min(delay * 2, PROBE_MAX_DELAY_MS)
    }
  }

  /** How many requests waitForProbe sent to `path`. */
  probesSent(path: string): number {
    return this.probes.get(path) ?? 0
  }

  waitForReady(signal: AbortSignal): Promise<void> {
    return this.waitForProbe(RUNTIME_PATHS.readyz, signal)
  }

  /**
   * POST (assign) or PUT (config) a RuntimeConfig on the control endpoint with this process's token. Answers whether
   * the runtime said it is ready: it answers an assignment once its database is open (or after its own bound), so a
   * `ready: true` needs no /readyz round trip after it.
   */
  async sendConfig(method: 'POST' | 'PUT', config: RuntimeConfig, signal: AbortSignal): Promise<{ ready: boolean }> {
    const port = await this.waitForPort(signal)
    const path = method === 'POST' ? RUNTIME_PATHS.assign : RUNTIME_PATHS.config
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.controlToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(config),
      signal,
    })
    if (!res.ok) {
      await res.body?.cancel()
      throw new Error(`runtime refused ${method} ${path}: HTTP ${res.status}`)
    }
    // An answer that cannot be read says nothing about readiness: the caller probes /readyz as before.
    const answer = await res.json().catch(() => null) as { ready?: unknown } | null
    return { ready: answer?.ready === true }
  }

  /** SIGTERM (the runtime drains), then SIGKILL after `killAfterMs` (0 = SIGKILL at once). Resolves on exit. */
  async stop(killAfterMs: number): Promise<ExitInfo> {
    this.stopping = true
    if (!this.alive) return this.exit!
    if (killAfterMs <= 0) {
      this.signal('SIGKILL')
      return this.exited
    }
    this.signal('SIGTERM')
    const timer = setTimeout(() => this.signal('SIGKILL'), killAfterMs)
    try {
      return await this.exited
    } finally {
      clearTimeout(timer)
    }
  }

  /** Synchronous kill for the parent's `exit` handler, where nothing asynchronous runs any more. */
  signal(signal: NodeJS.Signals): void {
    if (!this.alive) return
    try {
      this.child.kill(signal)
    } catch {
      // already gone
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new StartAborted())
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new StartAborted())
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}
