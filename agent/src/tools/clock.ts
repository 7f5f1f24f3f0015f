// The `clock` tool: the current time in the agent's time zone (RuntimeConfig.timezone, UTC when it names none), or
// in another zone the model asks for.
import type { Tool } from 'ai'
import { z } from 'zod'

const inputSchema = z.object({
  timezone: z.string().max(64).optional().describe('an IANA time zone such as Europe/Paris; default: your own'),
})

export interface ClockToolContext {
  timezone: string
  now?: () => Date
}

/** `2026-12-03T13:05:09+01:00`: the local wall time with its offset, which models read without arithmetic. */
function localIso(date: Date, timeZone: string): { iso: string; offset: string } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', timeZoneName: 'longOffset',
  }).formatToParts(date).map((p) => [p.type, p.value]))
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '')
  return { iso: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`, offset }
}

// A plain Tool object (what the SDK's `tool()` returns unchanged): `ai` itself loads with the first turn.
export function clockTool(ctx: ClockToolContext): Tool<z.infer<typeof inputSchema>> {
  return {
    description: 'The current date and time, in your own time zone unless another is asked for.',
    inputSchema,
    async execute({ timezone }: z.infer<typeof inputSchema>) {
      const zone = timezone ?? ctx.timezone
      const now = ctx.now?.() ?? new Date()
      let local: { iso: string; offset: string }
      try {
        local = localIso(now, zone)
      } catch {
        throw new Error(`unknown time zone "${zone}"; use an IANA name such as Europe/Paris`)
      }
      const weekday = new Intl.DateTimeFormat('en', { timeZone: zone, weekday: 'long' }).format(now)
      return { now: local.iso, weekday, timezone: zone, utc: now.toISOString() }
    },
  }
}
