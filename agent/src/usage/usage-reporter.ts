// Reports token usage to the cluster-api (POST /internal/v1/runtime/agents/:id/usage, signed with this agent's own
// key) in batches. Each batch has a unique batchId and is retried until accepted, so a retried flush is counted once.
import { randomUUID } from 'node:crypto'
import type { RuntimeUsageBatch, RuntimeUsageItem } from '../../../wire/internal-api.ts'
import { INTERNAL_PATHS } from '../../../wire/internal-api.ts'
import { AGENT_ID, TENANT_HOST, TENANT_ID } from '../../../wire/headers.ts'
import { nodeBodyDigest, nodeHmac } from '../../../wire/node-hmac.ts'
import { signHeaders } from '../../../wire/signature.ts'
import type { Logger } from '../log.ts'

/** Batches kept while the platform is unreachable; beyond this the oldest is dropped (and logged). */
const MAX_QUEUED_BATCHES = 500
const SEND_TIMEOUT_MS = 5_000
/** Attempts at shutdown to deliver what is left, and the pause between them (ms). */
const FINAL_FLUSH_ATTEMPTS = 3
const FINAL_FLUSH_PAUSE_MS = 200

export interface UsageIdentity {
  agentId: string
  tenantId: string
  slug: string
  /** The agent's own signing key (RuntimeConfig.signingKey). */
  signingKey: string
}

type QueuedBatch = RuntimeUsageBatch & { identity: UsageIdentity }

export interface UsageReporter {
  /** `toolCalls`: the tool calls the model made (absent: none). */
  record(usage: { inputTokens: number; outputTokens: number; toolCalls?: number }): void
  /** Closes the current period into a batch and sends every queued batch; resolves when this attempt ends. */
  flush(): Promise<void>
  /** Batches not yet accepted by the platform. */
  pending(): number
  /** Stops the timer and tries to deliver what is left. */
  close(): Promise<void>
}

export interface UsageReporterOptions {
  platformUrl: string | null
  identity: () => UsageIdentity | null
  openStreams: () => number
  intervalMs: number
  log: Logger
}

export function createUsageReporter(opts: UsageReporterOptions): UsageReporter {
  let current: { identity: UsageIdentity; from: number; tokensIn: number; tokensOut: number; toolCalls: number } | null = null
  const queue: QueuedBatch[] = []
  let sending: Promise<void> | null = null

  function closePeriod(now: number): void {
    if (!current || (current.tokensIn === 0 && current.tokensOut === 0 && current.toolCalls === 0)) return
    // Requests and bytes are counted by the edge; the runtime reports what only it knows: tokens.
    const item: RuntimeUsageItem = {
      from: current.from, to: now, tokensIn: current.tokensIn, tokensOut: current.tokensOut, openStreams: opts.openStreams(),
      ...(current.toolCalls > 0 ? { toolCalls: current.toolCalls } : {}),
    }
    // A batch is sent for the agent it was counted for, even if the runtime serves another by then.
    queue.push({ batchId: randomUUID(), items: [item], identity: current.identity })
    current = null
    if (queue.length > MAX_QUEUED_BATCHES) {
      const dropped = queue.shift()!
      opts.log.error({ event: 'usage-dropped', batchId: dropped.batchId }, 'usage queue full; dropped the oldest batch')
    }
  }

  async function send(queued: QueuedBatch): Promise<boolean> {
    const { identity, ...batch } = queued
    const url = new URL(INTERNAL_PATHS.runtimeUsage(identity.agentId), opts.platformUrl!)
    const headers = new Headers({ 'content-type': 'application/json', [TENANT_HOST]: identity.slug, [TENANT_ID]: identity.tenantId, [AGENT_ID]: identity.agentId })
    const body = new TextEncoder().encode(JSON.stringify(batch))
    await signHeaders(headers, { method: 'POST', host: url.host, path: url.pathname, body: { kind: 'digest', digest: nodeBodyDigest(body) } }, nodeHmac(identity.signingKey))
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) })
      await res.body?.cancel()
      // 4xx other than 408/429 will never succeed: drop rather than retry forever.
      if (res.ok) return true
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        opts.log.error({ event: 'usage-rejected', batchId: batch.batchId, status: res.status }, 'platform rejected a usage batch; dropped')
        return true
      }
      opts.log.warn({ event: 'usage-retry', batchId: batch.batchId, status: res.status }, 'usage batch not accepted; will retry')
      return false
    } catch (err) {
      opts.log.warn({ event: 'usage-retry', batchId: batch.batchId, error: (err as Error).name }, 'usage batch not delivered; will retry')
      return false
    }
  }

  async function sendQueued(): Promise<void> {
    if (!opts.platformUrl) return
    while (queue.length > 0) {
      if (!(await send(queue[0]!))) return
      queue.shift()
    }
  }

  function flush(): Promise<void> {
    closePeriod(Date.now())
    if (!opts.platformUrl) {
      queue.length = 0
      return Promise.resolve()
    }
    sending ??= sendQueued().finally(() => { sending = null })
    return sending
  }

  const timer = setInterval(() => void flush(), opts.intervalMs)
  timer.unref()

  return {
    record(usage) {
      const identity = opts.identity()
      if (!identity) return
      if (current && current.identity.agentId !== identity.agentId) closePeriod(Date.now())
      current ??= { identity, from: Date.now(), tokensIn: 0, tokensOut: 0, toolCalls: 0 }
      current.tokensIn += usage.inputTokens
      current.tokensOut += usage.outputTokens
      current.toolCalls += usage.toolCalls ?? 0
    },
    flush,
    pending: () => queue.length + (current && (current.tokensIn || current.tokensOut || current.toolCalls) ? 1 : 0),
    async close() {
      clearInterval(timer)
      for (let attempt = 0; attempt < FINAL_FLUSH_ATTEMPTS; attempt++) {
        await flush()
        if (queue.length === 0) return
        await new Promise((r) => setTimeout(r, FINAL_FLUSH_PAUSE_MS))
      }
      if (queue.length > 0) opts.log.error({ event: 'usage-lost', batches: queue.length }, 'exiting with undelivered usage')
    },
  }
}
