// GET /metrics in the Prometheus text format: what an operator needs to see the platform breathe —
// requests by route family and status class, wakes, and agents by workload state. No per-tenant labels (cardinality).

import type { Context, MiddlewareHandler } from 'hono'
import { sql } from 'drizzle-orm'
import type { Db } from '../db/types.ts'
import { agents } from '../db/schema/index.ts'

/** Route families, so labels stay few whatever paths clients send. */
function family(path: string): string {
  if (path.startsWith('/internal/v1/agents/') && path.endsWith('/wake')) return 'internal_wake'
  if (path.startsWith('/internal/v1/')) return `internal_${path.split('/')[3] ?? 'other'}`
  if (path.startsWith('/v1/')) return `v1_${path.split('/')[2] ?? 'other'}`
  return 'other'
}

export class PlatformMetrics {
  readonly #requests = new Map<string, number>()
  readonly #startedAt = Date.now()

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      await next()
      const key = `${family(c.req.path)}|${Math.floor(c.res.status / 100)}xx`
      this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1)
    }
  }

  async render(db: Db): Promise<string> {
    const lines: string[] = []
    lines.push('# HELP myintell_http_requests_total Requests answered by the cluster-api, by route family and status class.')
    lines.push('# TYPE myintell_http_requests_total counter')
    for (const [key, count] of [...this.#requests].sort()) {
      const [route, status] = key.split('|')
      lines.push(`myintell_http_requests_total{route="${route}",status="${status}"} ${count}`)
    }
    const states = await db.select({ state: agents.workloadState, count: sql<number>`count(*)::int` }).from(agents).groupBy(agents.workloadState)
    lines.push('# HELP myintell_agents Agents by last known workload state.')
    lines.push('# TYPE myintell_agents gauge')
    for (const row of states) lines.push(`myintell_agents{state="${row.state}"} ${row.count}`)
    const memory = process.memoryUsage()
    lines.push('# HELP process_resident_memory_bytes Resident memory of the cluster-api process.')
    lines.push('# TYPE process_resident_memory_bytes gauge')
    lines.push(`process_resident_memory_bytes ${memory.rss}`)
    lines.push('# HELP process_uptime_seconds Seconds since the cluster-api started.')
    lines.push('# TYPE process_uptime_seconds gauge')
    lines.push(`process_uptime_seconds ${Math.round((Date.now() - this.#startedAt) / 1000)}`)
    return `${lines.join('\n')}\n`
  }

  handler(db: Db): (c: Context) => Promise<Response> {
    return async (c) => c.body(await this.render(db), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
  }
}
