// Starts one runtime in this process: HTTP server, lifecycle state, shutdown with drain.
// main.ts wires it to the environment and signals; tests and benches may start it directly.
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { createApp } from './app.ts'
import type { RuntimeSettings } from './config/env.ts'
import type { Logger } from './log.ts'
import { createAgentRoutes } from './routes/index.ts'
import { agentContext } from './routes/agent-context.ts'
import { createRuntimeState } from './runtime-state.ts'
import type { RuntimeState } from './runtime-state.ts'

export interface RunningRuntime {
  port: number
  state: RuntimeState
  /** Drains in-flight work (up to the drain timeout), then closes everything. */
  shutdown(): Promise<{ drained: boolean }>
}

export async function startRuntime(settings: RuntimeSettings, log: Logger): Promise<RunningRuntime> {
  const state = createRuntimeState(log)
  const app = createApp({
    state,
    log,
    signingSecret: settings.signingSecret,
    controlToken: settings.controlToken,
    agentRoutes: createAgentRoutes(agentContext(state)),
  })
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, () => resolve(s as Server)) as Server
  })
  const port = (server.address() as AddressInfo).port
  // An env-configured runtime assigns itself; the server already answers /healthz meanwhile.
  if (settings.config) void state.assign(settings.config)

  let shuttingDown: Promise<{ drained: boolean }> | null = null
  return {
    port,
    state,
    shutdown() {
      shuttingDown ??= (async () => {
        // Stop accepting connections first; open ones keep streaming until drained.
        server.close()
        const result = await state.drain(settings.drainTimeoutMs)
        server.closeAllConnections()
        await state.close()
        return result
      })()
      return shuttingDown
    },
  }
}
