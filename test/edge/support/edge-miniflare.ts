// The edge Worker bundled by wrangler (`deploy --dry-run`) and run by Miniflare with a direct socket to the
// Worker (no dev proxy in front), as `wrangler dev` runs it. The edge bench measures the hold figure this way
// and shows the warm path beside the edge in workerd alone (edge-workerd.ts), which skips Miniflare's layers.
// Several such processes can share one AgentGate namespace through a dev registry (one process hosts the
// Durable Objects, the others reach them over workerd's debug port), as Cloudflare's many edge machines
// share one Durable Object per agent.

import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'

const root = join(import.meta.dirname, '..', '..', '..')
let bundled: string | null = null

/** The Worker as wrangler deploys it: one ES module, built once per process. */
export function bundleEdge(): string {
  if (bundled) return bundled
  const outdir = mkdtempSync(join(tmpdir(), 'myintell-edge-bundle-'))
  execFileSync(join(root, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', outdir, '--config', join(root, 'wrangler.toml')], {
    cwd: root, stdio: 'ignore',
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', XDG_CONFIG_HOME: join(root, '.xdg') },
  })
  bundled = join(outdir, 'index.js')
  return bundled
}

export interface EdgeMiniflare {
  /** A socket straight to the Worker. */
  url: URL
  mf: Miniflare
  dispose(): Promise<void>
}

export interface EdgeMiniflareOptions {
  /** The Worker's name in the dev registry; default `myintell-edge`. */
  name?: string
  /** A dev registry directory shared by the processes that form one edge. */
  devRegistryPath?: string
  /** Use the AgentGate Durable Objects of this (other) Worker, found through the dev registry. */
  gateWorker?: string
  /** Open workerd's inspector (DevTools protocol) on this port, for CPU profiles. */
  inspectorPort?: number
  /**
   * Bind TENANT_RATE_LIMIT with these numbers and turn the limit on (RATE_LIMIT=on), as production runs it.
   * Without it the limit is off, as the tests' edge runs it.
   */
  rateLimit?: { limit: number; periodSeconds: 10 | 60 }
}

export async function startEdgeMiniflare(vars: Record<string, string>, options: EdgeMiniflareOptions = {}): Promise<EdgeMiniflare> {
  const mf = new Miniflare(convertV4MiniflareOptions({
    name: options.name ?? 'myintell-edge',
    modules: true,
    scriptPath: bundleEdge(),
    modulesRoot: dirname(bundleEdge()),
    compatibilityDate: '2026-11-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings: {
      BASE_DOMAIN: 'localhost',
      ...(options.rateLimit ? { RATE_LIMIT: 'on', RATE_LIMIT_PERIOD_SECONDS: String(options.rateLimit.periodSeconds) } : { RATE_LIMIT: 'off' }),
      ...vars,
    },
    ...(options.rateLimit
      ? { ratelimits: { TENANT_RATE_LIMIT: { namespace_id: '1001', simple: { limit: options.rateLimit.limit, period: options.rateLimit.periodSeconds } } } }
      : {}),
    durableObjects: { AGENT_GATE: options.gateWorker ? { className: 'AgentGate', scriptName: options.gateWorker } : 'AgentGate' },
    host: '127.0.0.1',
    port: 0,
    cf: false,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    ...(options.devRegistryPath ? { unsafeDevRegistryPath: options.devRegistryPath } : {}),
    ...(options.inspectorPort !== undefined ? { inspectorPort: options.inspectorPort } : {}),
  } as Parameters<typeof convertV4MiniflareOptions>[0]))
  await mf.ready
  const url = await mf.unsafeGetDirectURL()
  return { url, mf, dispose: () => mf.dispose() }
}
