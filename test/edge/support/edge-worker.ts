// Starts the real edge Worker (wrangler.toml, bundled by wrangler, run in workerd) for integration tests and
// benchmarks, pointed at the given cluster-api and origin. Local only: never logs in, sends no metrics.

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { unstable_startWorker } from 'wrangler'

const root = join(import.meta.dirname, '..', '..', '..')

export interface EdgeWorkerOptions {
  clusterUrl: string
  originUrl: string
  secret: string
  vars?: Record<string, string>
  /** Keep Durable Object storage here (to restart the Worker and keep its gates' state). */
  persistDir?: string
  /** Turn the rate limit on with a TENANT_RATE_LIMIT binding of this size instead of wrangler.toml's; default off. */
  rateLimit?: { limit: number; periodSeconds: 10 | 60 }
}

export interface EdgeWorker {
  url: URL
  dispose(): Promise<void>
}

export async function startEdgeWorker(options: EdgeWorkerOptions): Promise<EdgeWorker> {
  process.env.CI = 'true'
  process.env.WRANGLER_SEND_METRICS = 'false'
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'
  process.env.XDG_CONFIG_HOME ??= join(root, '.xdg')
  mkdirSync(process.env.XDG_CONFIG_HOME, { recursive: true })
  // workerd opens these storage directories; wrangler leaves creating them to its CLI.
  if (options.persistDir) for (const kind of ['do', 'kv', 'r2', 'd1', 'cache']) mkdirSync(join(options.persistDir, 'v3', kind), { recursive: true })
  const vars: Record<string, string> = {
    BASE_DOMAIN: 'localhost',
    // Tests send bursts of 1,000 from one "tenant"; the limiter has its own test.
    RATE_LIMIT: 'off',
    CLUSTER_API_URL: options.clusterUrl,
    ORIGIN_URL: options.originUrl,
    EDGE_SIGNING_SECRET: options.secret,
    ACCESS_LOG: 'off',
    ...(options.rateLimit ? { RATE_LIMIT: 'on', RATE_LIMIT_PERIOD_SECONDS: String(options.rateLimit.periodSeconds) } : {}),
    ...options.vars,
  }
  const bindings: Record<string, unknown> = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { type: 'plain_text' as const, value: v }]))
  if (options.rateLimit) {
    const { limit, periodSeconds } = options.rateLimit
    bindings.TENANT_RATE_LIMIT = { type: 'ratelimit', namespace_id: '1001', simple: { limit, period: periodSeconds } }
  }
  const worker = await unstable_startWorker({
    config: join(root, 'wrangler.toml'),
    bindings,
    dev: {
      server: { hostname: '127.0.0.1', port: 0 },
      inspector: false,
      watch: false,
      logLevel: 'warn',
      persist: options.persistDir ?? false,
    },
  } as Parameters<typeof unstable_startWorker>[0])
  await worker.ready
  const url = await worker.url
  return { url, dispose: () => worker.dispose() }
}
