// Starts one runtime in this process: HTTP server, lifecycle state, shutdown with drain.
// main.ts wires it to the environment and signals; tests and benches may start it directly.
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { ORIGIN_MAX_HEADER_BYTES } from '../../wire/request-limits.ts'
import { createApp } from './app.ts'
import type { RuntimeSettings } from './config/env.ts'
import { findMigrationsFolder } from './db/tenant-db.ts'
import type { Logger } from './log.ts'
import { createAgentRoutes } from './routes/index.ts'
import { agentContext } from './routes/agent-context.ts'
import { createRuntimeState } from './runtime-state.ts'
import { warmUpForAssignment } from './warm-up.ts'
import { buildModel, DEFAULT_PROVIDER_SETTINGS } from './providers/registry.ts'
import type { ProviderSettings } from './providers/registry.ts'
import { createUsageReporter } from './usage/usage-reporter.ts'
import type { UsageReporter } from './usage/usage-reporter.ts'
import { attachWebSocketChat } from './ws/ws-chat.ts'
import { EdgeVerifier } from './http/edge-auth.ts'
import { startNodeTracing } from '../../wire/node-tracing.ts'
import type { TurnDeps } from './chat/turn.ts'
import type { RuntimeState } from './runtime-state.ts'

export interface RunningRuntime {
  port: number
  state: RuntimeState
  usage: UsageReporter
  /** Drains in-flight work (up to the drain timeout), then closes everything. */
  shutdown(): Promise<{ drained: boolean }>
}

/** Throws MigrationsNotFoundError, before listening, when the runtime was packaged without its migrations. */
export async function startRuntime(settings: RuntimeSettings, log: Logger): Promise<RunningRuntime> {
  const tracing = startNodeTracing(settings.tracing ?? { endpoint: undefined, serviceName: '', headers: {} })
  // Looked for once, now: a missing folder is a packaging error, which retrying the database would only hide.
  const state = createRuntimeState(log, findMigrationsFolder())
  const usage = createUsageReporter({
    platformUrl: settings.platformUrl,
    identity: () => {
      const config = state.config()
      return config ? { agentId: config.agentId, tenantId: config.tenantId, slug: config.slug, signingKey: config.signingKey } : null
    },
    openStreams: () => state.inFlight(),
    intervalMs: settings.usageFlushIntervalMs,
    log,
  })
  const providerSettings: ProviderSettings = {
    ...DEFAULT_PROVIDER_SETTINGS,
    timeoutMs: settings.providerTimeoutMs,
    contextWindowTokens: settings.contextWindowTokens,
    localTokenDelayMs: settings.localTokenDelayMs,
  }
  const ctx = agentContext(state)
  const turnDeps: TurnDeps = {
    model: (config) => buildModel(config, providerSettings),
    recordUsage: (u) => usage.record(u),
    maxMessageChars: settings.maxMessageChars,
    bounds: { maxSteps: settings.toolMaxSteps, turnTimeoutMs: settings.turnTimeoutMs, providerTimeoutMs: settings.providerTimeoutMs },
    tools: {
      egress: settings.egress, workspaceDir: settings.workspaceDir, workspaceQuotaBytes: settings.workspaceQuotaBytes, platformUrl: settings.platformUrl,
    },
    log,
  }
  const edgeVerifier = new EdgeVerifier(() => {
    const config = state.config()
    return config ? { slug: config.slug, signingKey: config.signingKey } : null
  })
  const app = createApp({
    state,
    log,
    edgeVerifier,
    controlToken: settings.controlToken,
    agentRoutes: createAgentRoutes(ctx, turnDeps),
  })
  const server = await new Promise<Server>((resolve) => {
    // maxHeaderSize: accept every request head the edge forwards (wire/request-limits.ts).
    const s = serve({
      fetch: app.fetch, port: settings.port, hostname: settings.host, serverOptions: { maxHeaderSize: ORIGIN_MAX_HEADER_BYTES },
    }, () => resolve(s as Server)) as Server
  })
  const port = (server.address() as AddressInfo).port
  const sockets = attachWebSocketChat(server, { state, ctx, turnDeps, edgeVerifier, log })
  // An env-configured runtime assigns itself; the server already answers /healthz meanwhile. A pool runtime has
  // nothing to do until its assignment: it compiles what that assignment will run.
  if (settings.config) void state.assign(settings.config)
  else setImmediate(() => void warmUpForAssignment())

  let shuttingDown: Promise<{ drained: boolean }> | null = null
  return {
    port,
    state,
    usage,
    shutdown() {
      shuttingDown ??= (async () => {
        // The listener stays open while draining so /readyz can answer 503 and new requests get a clear 503;
        // in-flight replies keep streaming until they end or the drain timeout passes.
        sockets.stopAccepting()
        const result = await state.drain(settings.drainTimeoutMs)
        sockets.closeAll()
        server.close()
        server.closeAllConnections()
        await usage.close()
        await state.close()
        await tracing.shutdown()
        return result
      })()
      return shuttingDown
    },
  }
}
