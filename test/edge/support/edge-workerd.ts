// The edge Worker in workerd with nothing of Miniflare's around it: the bundle wrangler deploys
// (`deploy --dry-run`), its bindings, the AgentGate namespace on local SQLite, and fetch() going straight to
// the network, as on Cloudflare. Miniflare (edge-miniflare.ts) routes every outbound fetch through an
// extra interceptor Worker in the same workerd and counts rate limits in a Durable Object call per
// request; both cost the edge CPU per request that production does not spend, so the edge bench measures
// this setup and shows Miniflare's beside it.
//
// The rate-limit binding is the one thing workerd lacks: Cloudflare's checks a counter cached on the
// machine. Here a small wrapped binding (ratelimit-binding.js) counts in the isolate, a fixed window per key.
// A second Worker, the probe, shares the AgentGate namespace and answers GET /gates/<slug> with the
// gate's snapshot(), so a bench can see how many requests a gate holds.

import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleEdge } from './edge-miniflare.ts'
import { freePort } from '../../../cluster-api/src/db/free-port.ts'

/** The workerd binary Miniflare itself runs (the `workerd` package's default export is its path). */
const WORKERD_BINARY = (createRequire(import.meta.url)('workerd') as { default: string }).default
const COMPATIBILITY_DATE = '2026-11-01'

export interface EdgeWorkerdOptions {
  /** Bind TENANT_RATE_LIMIT with these numbers and turn the limit on (RATE_LIMIT=on). Default: off. */
  rateLimit?: { limit: number; periodSeconds: 10 | 60 }
  /** Open workerd's inspector (DevTools protocol) on this port, for CPU profiles. */
  inspectorPort?: number
  /** The Worker's console output on this process's stdout (workerd --verbose), for tracing a request by hand. */
  verbose?: boolean
}

export interface EdgeWorkerd {
  /** The Worker's socket. */
  url: URL
  pid: number
  /** The gate's snapshot() for one agent, through the probe Worker. */
  gate(slug: string): Promise<{ held: number; phase: string; waitCalls: number }>
  dispose(): Promise<void>
}

/** A capnp text string literal. */
const str = (value: string) => JSON.stringify(value)

const RATE_LIMIT_BINDING = `// Fixed window per key, counted in this isolate (Cloudflare's binding checks a counter cached on the machine).
export default function makeBinding(env) {
  const windows = new Map()
  return {
    async limit({ key }) {
      const now = Date.now()
      let w = windows.get(key)
      if (!w || now >= w.endsAt) {
        if (windows.size > 10000) windows.clear()
        w = { count: 0, endsAt: now + env.period * 1000 }
        windows.set(key, w)
      }
      w.count += 1
      return { success: w.count <= env.limit }
    },
  }
}
`

const PROBE = `export default {
  async fetch(request, env) {
    const slug = new URL(request.url).pathname.replace(/^\\/gates\\//, '')
    const snapshot = await env.AGENT_GATE.get(env.AGENT_GATE.idFromName(slug)).snapshot()
    return Response.json(snapshot)
  },
}
`

export async function startEdgeWorkerd(vars: Record<string, string>, options: EdgeWorkerdOptions = {}): Promise<EdgeWorkerd> {
  const dir = mkdtempSync(join(tmpdir(), 'myintell-edge-workerd-'))
  mkdirSync(join(dir, 'gates'))
  copyFileSync(bundleEdge(), join(dir, 'index.js'))
  writeFileSync(join(dir, 'ratelimit-binding.js'), RATE_LIMIT_BINDING)
  writeFileSync(join(dir, 'probe.js'), PROBE)
  const [port, probePort] = [await freePort(), await freePort()]
  const text: Record<string, string> = {
    BASE_DOMAIN: 'localhost',
    ...(options.rateLimit ? { RATE_LIMIT: 'on', RATE_LIMIT_PERIOD_SECONDS: String(options.rateLimit.periodSeconds) } : { RATE_LIMIT: 'off' }),
    ...vars,
  }
  const bindings = [
    ...Object.entries(text).map(([name, value]) => `(name = ${str(name)}, text = ${str(value)})`),
    '(name = "AGENT_GATE", durableObjectNamespace = (className = "AgentGate"))',
    ...(options.rateLimit
      ? [`(name = "TENANT_RATE_LIMIT", wrapped = (moduleName = "myintell-bench:ratelimit", innerBindings = [(name = "limit", json = "${options.rateLimit.limit}"), (name = "period", json = "${options.rateLimit.periodSeconds}")]))`]
      : []),
  ]
  writeFileSync(join(dir, 'edge.capnp'), `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edge", worker = .edge),
    (name = "probe", worker = .probe),
    (name = "internet", network = (allow = ["public", "private", "local"])),
    (name = "gate-storage", disk = (path = ${str(join(dir, 'gates'))}, writable = true)),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:${port}", http = (), service = "edge"),
    (name = "probe", address = "127.0.0.1:${probePort}", http = (), service = "probe"),
  ],
  extensions = [(modules = [(name = "myintell-bench:ratelimit", esModule = embed "ratelimit-binding.js", internal = true)])],
);

const edge :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed "index.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  compatibilityFlags = ["nodejs_compat"],
  bindings = [
    ${bindings.join(',\n    ')}
  ],
  durableObjectNamespaces = [(className = "AgentGate", uniqueKey = "myintell-edge-AgentGate", enableSql = true)],
  durableObjectStorage = (localDisk = "gate-storage"),
  globalOutbound = "internet",
);

const probe :Workerd.Worker = (
  modules = [(name = "probe.js", esModule = embed "probe.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [(name = "AGENT_GATE", durableObjectNamespace = (className = "AgentGate", serviceName = "edge"))],
);
`)
  const probe = new URL(`http://127.0.0.1:${probePort}`)
  const workerd = await runWorkerd(dir, 'edge.capnp', new URL('/gates/probe-ready', probe), options)
  const url = new URL(`http://127.0.0.1:${port}`)
  return {
    url,
    pid: workerd.pid,
    async gate(slug) {
      const res = await fetch(new URL(`/gates/${encodeURIComponent(slug)}`, probe))
      if (!res.ok) throw new Error(`gate probe answered ${res.status}`)
      return (await res.json()) as { held: number; phase: string; waitCalls: number }
    },
    dispose: () => workerd.stop(),
  }
}

/** Keeps this much of workerd's stderr, for the error when it does not start. */
const STDERR_KEPT = 16_384

export interface RunningWorkerd {
  pid: number
  /** Stops workerd and removes `dir`. */
  stop(): Promise<void>
}

/**
 * Runs `workerd serve <dir>/<config>` until `readyUrl` answers 2xx (15 s at most). `dir` is the workerd's own:
 * it is removed when workerd stops, or when it fails to start.
 */
export async function runWorkerd(dir: string, config: string, readyUrl: URL, options: { verbose?: boolean; inspectorPort?: number } = {}): Promise<RunningWorkerd> {
  const args = [
    'serve', join(dir, config),
    ...(options.verbose ? ['--verbose'] : []),
    ...(options.inspectorPort === undefined ? [] : [`--inspector-addr=127.0.0.1:${options.inspectorPort}`]),
  ]
  const child: ChildProcess = spawn(WORKERD_BINARY, args, { stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 15_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop()
      throw new Error(`workerd exited (${child.exitCode ?? child.signalCode}): ${stderr}`)
    }
    if (await fetch(readyUrl).then((res) => res.ok, () => false)) return { pid: child.pid!, stop }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`workerd did not start within 15 s: ${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
