// Usage ingest (idempotent per batch id) and usage reports (totals per day).

import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm'
import type { IngestBatch, IngestItem } from '../../../../wire/internal-api.ts'
import { agents, ingestBatches, usageRecords } from '../schema/index.ts'
import type { Db } from '../types.ts'
import { recordAgentActivity } from './agents.ts'

export const USAGE_BUCKET_MS = 3_600_000 // one hour: fine enough for billing, coarse enough to stay small

const COUNTERS = ['requests', 'bytesIn', 'bytesOut', 'wakes', 'coldStartMs', 'tokensIn', 'tokensOut', 'activeSeconds', 'toolCalls'] as const
type Counter = (typeof COUNTERS)[number]
export type UsageTotals = Record<Counter, number>

export interface IngestOutcome {
  accepted: number
  duplicate: boolean
  /** Latest activity per agent in the batch, for the workload driver. Empty for a duplicate. */
  activity: Array<{ agentId: string; at: number; openStreams: number }>
}

export async function ingestUsage(db: Db, batch: IngestBatch, receivedAt = Date.now()): Promise<IngestOutcome> {
  return db.transaction(async (tx) => {
    const claimed = await tx.insert(ingestBatches).values({ batchId: batch.batchId, items: batch.items.length })
      .onConflictDoNothing().returning({ batchId: ingestBatches.batchId })
    if (claimed.length === 0) return { accepted: 0, duplicate: true, activity: [] }

    const agentIds = [...new Set(batch.items.map((item) => item.agentId))]
    const known = agentIds.length === 0 ? [] : await tx.select({ id: agents.id, tenantId: agents.tenantId })
      .from(agents).where(inArray(agents.id, agentIds))
    const tenantOf = new Map(known.map((a) => [a.id, a.tenantId]))
    // An item naming an agent of another tenant (or a deleted agent) is dropped, never misattributed.
    const valid = batch.items.filter((item) => tenantOf.get(item.agentId) === item.tenantId)

    const buckets = new Map<string, { tenantId: string; agentId: string; bucketStart: Date } & UsageTotals>()
    const activity = new Map<string, { agentId: string; at: number; openStreams: number }>()
    for (const item of valid) {
      const bucketStart = Math.floor(item.from / USAGE_BUCKET_MS) * USAGE_BUCKET_MS
      const key = `${item.agentId}/${bucketStart}`
      const row = buckets.get(key) ?? { tenantId: item.tenantId, agentId: item.agentId, bucketStart: new Date(bucketStart), ...zeroTotals() }
      // The edge's items carry no toolCalls: only a runtime knows them.
      for (const counter of COUNTERS) row[counter] += item[counter] ?? 0
      buckets.set(key, row)
      // An edge clock running ahead must not keep an agent "active" into the future.
      const at = Math.min(item.to, receivedAt)
      const seen = activity.get(item.agentId)
      if (!seen || at >= seen.at) activity.set(item.agentId, { agentId: item.agentId, at, openStreams: item.openStreams })
    }
    if (buckets.size > 0) {
      const excluded = (column: string) => sql.raw(`"usage_records"."${usageRecords[column as Counter].name}" + excluded."${usageRecords[column as Counter].name}"`)
      await tx.insert(usageRecords).values([...buckets.values()]).onConflictDoUpdate({
        target: [usageRecords.tenantId, usageRecords.agentId, usageRecords.bucketStart],
        set: Object.fromEntries(COUNTERS.map((counter) => [counter, excluded(counter)])),
      })
    }
    for (const a of activity.values()) await recordAgentActivity(tx as unknown as Db, a.agentId, new Date(a.at), a.openStreams)
    return { accepted: valid.length, duplicate: false, activity: [...activity.values()] }
  })
}

function zeroTotals(): UsageTotals {
  return { requests: 0, bytesIn: 0, bytesOut: 0, wakes: 0, coldStartMs: 0, tokensIn: 0, tokensOut: 0, activeSeconds: 0, toolCalls: 0 }
}

export interface DailyUsage extends UsageTotals {
  /** UTC day, `YYYY-MM-DD`. */
  day: string
}

/** Totals per UTC day for the tenant (optionally one agent) with buckets in [from, to). */
export async function usagePerDay(
  db: Db, tenantId: string, range: { from: Date; to: Date; agentId?: string | undefined },
): Promise<DailyUsage[]> {
  const day = sql<string>`to_char(${usageRecords.bucketStart} at time zone 'UTC', 'YYYY-MM-DD')`
  const sums = Object.fromEntries(COUNTERS.map((counter) => [counter, sql<number>`sum(${usageRecords[counter]})::float8`])) as Record<Counter, ReturnType<typeof sql<number>>>
  const conditions = [eq(usageRecords.tenantId, tenantId), gte(usageRecords.bucketStart, range.from), lt(usageRecords.bucketStart, range.to)]
  if (range.agentId) conditions.push(eq(usageRecords.agentId, range.agentId))
  const rows = await db.select({ day, ...sums }).from(usageRecords).where(and(...conditions)).groupBy(day).orderBy(day)
  return rows.map((row) => {
    const totals = zeroTotals()
    for (const counter of COUNTERS) totals[counter] = Number(row[counter] ?? 0)
    return { day: row.day, ...totals }
  })
}

export type { IngestItem }
