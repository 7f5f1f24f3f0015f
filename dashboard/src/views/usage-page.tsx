// Usage per day per superfriend — requests, tokens, active time, wakes — as a chart and a table.
// /v1/usage reports one agent at a time (agentId), so the page asks once per superfriend.
import { useCallback, useEffect, useState } from 'preact/hooks'
import { getUsage, type UsageDay } from '../api/platform.ts'
import { useWorkspace } from '../context.ts'
import { useMediaQuery } from '../use-media-query.ts'
import { formatCount, formatSeconds, lastDays } from '../format.ts'
import { UsageChart, type ChartSeries } from './usage-chart.tsx'

const RANGE_DAYS = 14
const COLORS = ['#5b4cdb', '#0f9d8a', '#e0782f', '#c43d7a', '#3b82c4', '#8a9a1d', '#7a5230', '#6b7280']

const METRICS = [
  { id: 'requests', label: 'Requests', value: (d: UsageDay) => d.requests, format: formatCount },
  { id: 'tokens', label: 'Tokens', value: (d: UsageDay) => d.tokensIn + d.tokensOut, format: formatCount },
  { id: 'active', label: 'Active time', value: (d: UsageDay) => d.activeSeconds, format: formatSeconds },
  { id: 'wakes', label: 'Wakes', value: (d: UsageDay) => d.wakes, format: formatCount },
] as const
type MetricId = (typeof METRICS)[number]['id']

export function UsagePage() {
  const workspace = useWorkspace()
  const [metric, setMetric] = useState<MetricId>('requests')
  const [perAgent, setPerAgent] = useState<Map<string, UsageDay[]> | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loadedAt, setLoadedAt] = useState<Date | null>(null)
  const days = lastDays(RANGE_DAYS)
  const agents = workspace.agents
  const narrow = useMediaQuery('(max-width: 600px)')

  const load = useCallback(async () => {
    if (!agents) return
    try {
      setError(null)
      const credentials = await workspace.credentials()
      const from = days[0]!
      const reports = await Promise.all(agents.map((a) => getUsage(credentials, { from, agentId: a.id }).then((u) => [a.id, u.days] as const)))
      setPerAgent(new Map(reports))
      setLoadedAt(new Date())
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }, [agents?.map((a) => a.id).join(','), workspace.credentials])
  useEffect(() => { void load() }, [load])

  const chosen = METRICS.find((m) => m.id === metric)!
  const series: ChartSeries[] = (agents ?? []).map((a, i) => {
    const byDay = new Map((perAgent?.get(a.id) ?? []).map((d) => [d.day, d]))
    return { id: a.slug, label: a.name, color: COLORS[i % COLORS.length]!, values: days.map((day) => { const d = byDay.get(day); return d ? chosen.value(d) : 0 }) }
  })
  const rows = (agents ?? []).flatMap((a) => (perAgent?.get(a.id) ?? []).map((d) => ({ agent: a, day: d })))
    .sort((x, y) => y.day.day.localeCompare(x.day.day) || x.agent.name.localeCompare(y.agent.name))

  return (
    <section>
      <div class="page-head">
        <h1 tabIndex={-1}>Usage</h1>
        <button type="button" onClick={load}>Refresh</button>
      </div>
      <p class="hint">Per day (UTC), per superfriend, over the last {RANGE_DAYS} days. The edge reports usage in batches, so the newest minute may be missing.{loadedAt && ` Updated ${loadedAt.toLocaleTimeString()}.`}</p>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="segmented" role="group" aria-label="Metric">
        {METRICS.map((m) => <button type="button" aria-pressed={m.id === metric ? 'true' : 'false'} onClick={() => setMetric(m.id)}>{m.label}</button>)}
      </div>
      {!agents || !perAgent ? <p role="status">Loading…</p> : agents.length === 0 ? <p class="hint">No superfriends, so no usage yet.</p> : (
        <>
          <UsageChart days={days} series={series} metricLabel={chosen.label} format={chosen.format} width={narrow ? 360 : 720} />
          <h2>Figures</h2>
          {rows.length === 0 ? <p class="hint">No usage recorded in this period.</p> : (
            <div class="table-wrap">
              <table class="usage">
                <thead><tr><th scope="col">Day</th><th scope="col">Superfriend</th><th scope="col">Requests</th><th scope="col">Tokens</th><th scope="col">Active time</th><th scope="col">Wakes</th></tr></thead>
                <tbody>
                  {rows.map(({ agent, day }) => (
                    <tr data-day={day.day} data-agent={agent.slug}>
                      <td>{day.day}</td><td>{agent.name}</td><td>{formatCount(day.requests)}</td><td>{formatCount(day.tokensIn + day.tokensOut)}</td>
                      <td>{formatSeconds(day.activeSeconds)}</td><td>{formatCount(day.wakes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  )
}
