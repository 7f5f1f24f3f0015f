// The edge Worker bundled by wrangler (`deploy --dry-run`) and run by Miniflare with a direct socket to the
// Worker (no dev proxy in front): what the benchmarks measure, closest to the production request path.

import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'

const root = join(import.meta.dirname, '..', '..', '..')
let bundled: string | null = null

function bundle(): string {
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

export async function startEdgeMiniflare(vars: Record<string, string>): Promise<EdgeMiniflare> {
  const mf = new Miniflare(convertV4MiniflareOptions({
    modules: true,
    scriptPath: bundle(),
    modulesRoot: dirname(bundle()),
    compatibilityDate: '2026-11-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings: { BASE_DOMAIN: 'localhost', RATE_LIMIT_PER_SECOND: '0', ...vars },
    durableObjects: { AGENT_GATE: 'AgentGate' },
    host: '127.0.0.1',
    port: 0,
    cf: false,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  } as Parameters<typeof convertV4MiniflareOptions>[0]))
  await mf.ready
  const url = await mf.unsafeGetDirectURL()
  return { url, mf, dispose: () => mf.dispose() }
}
