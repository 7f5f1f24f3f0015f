// An inline-SVG bar chart: one bar per day, stacked by superfriend, for one metric. Every bar segment has a
// <title> (hover / screen readers) and the figures are also in the table beside the chart.

export interface ChartSeries { id: string; label: string; color: string; values: number[] }

const HEIGHT = 260
const PAD = { top: 16, right: 12, bottom: 40, left: 48 }

/** Whole-number axis steps (every metric here counts something): 1, 2, 5, 10, 20, 50, … giving at most ~5 ticks. */
function axisTicks(max: number): number[] {
  const raw = Math.max(max, 1) / 4
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = Math.max(1, ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude)
  const top = Math.max(step, Math.ceil(max / step) * step)
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step)
}

/** `width` is the drawing's own unit width: a narrow one on a phone keeps the labels readable once scaled. */
export function UsageChart(props: { days: string[]; series: ChartSeries[]; metricLabel: string; format: (n: number) => string; width?: number }) {
  const WIDTH = props.width ?? 720
  const { days, series } = props
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0))
  const ticks = axisTicks(Math.max(0, ...totals))
  const max = ticks.at(-1)!
  const plotW = WIDTH - PAD.left - PAD.right
  const plotH = HEIGHT - PAD.top - PAD.bottom
  const slot = plotW / Math.max(days.length, 1)
  const barW = Math.max(4, slot * 0.7)
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH
  const labelEvery = Math.ceil(days.length / (WIDTH < 500 ? 4 : 8))

  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMidYMid meet">
        <title id="chart-title">{props.metricLabel} per day</title>
        <desc id="chart-desc">{days.length} days, total {props.format(totals.reduce((a, b) => a + b, 0))}</desc>
        {ticks.map((t) => (
          <g class="tick">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end">{props.format(t)}</text>
          </g>
        ))}
        {days.map((day, i) => {
          let base = 0
          const x = PAD.left + i * slot + (slot - barW) / 2
          return (
            <g class="day" data-day={day} data-total={totals[i]}>
              {series.map((s) => {
                const value = s.values[i] ?? 0
                if (value <= 0) return null
                const top = y(base + value)
                const height = y(base) - top
                base += value
                return (
                  <rect class="bar" x={x} y={top} width={barW} height={Math.max(height, 1)} fill={s.color} data-agent={s.id} data-value={value}>
                    <title>{`${day} · ${s.label}: ${props.format(value)}`}</title>
                  </rect>
                )
              })}
              {i % labelEvery === 0 && <text class="day-label" x={x + barW / 2} y={HEIGHT - PAD.bottom + 16} text-anchor="middle">{day.slice(5)}</text>}
            </g>
          )
        })}
        <line class="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} />
      </svg>
      <figcaption class="legend">
        {series.map((s) => <span class="legend-item"><span class="swatch" style={{ background: s.color }} aria-hidden="true" />{s.label}</span>)}
      </figcaption>
    </figure>
  )
}
