// The runtime's HTTP application: the request pipeline, written once, outermost stage first.
// Probes → control (bearer token) → edge signature → draining/in-flight tracking → agent routes.
import { Hono } from 'hono'
import { NO_ENDPOINTS } from '../../wire/headers.ts'
import { RUNTIME_PATHS } from '../../wire/runtime.ts'
import type { AppEnv } from './http/app-env.ts'
import { controlRoutes } from './control/control-routes.ts'
import { edgeAuth, type EdgeVerifier } from './http/edge-auth.ts'
import { errorResponse, internalError } from './http/errors.ts'
import { requestSpans } from './telemetry/tracing.ts'
import { isOpenAiPath, methodNotAllowed } from './http/openai-errors.ts'
import type { Logger } from './log.ts'
import type { RuntimeState } from './runtime-state.ts'
import { ProblemError } from '../../wire/problem.ts'

export interface AppDeps {
  state: RuntimeState
  log: Logger
  /** Checks the edge's signature under this agent's own key (shared with the WebSocket upgrade). */
  edgeVerifier: EdgeVerifier
  controlToken: string | null
  /** The agent's own routes (chat, conversations, memories, OpenAI), mounted behind the edge signature. */
  agentRoutes: Hono<AppEnv>
}

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { state, log } = deps
  const app = new Hono<AppEnv>()

  app.onError((err, c) => {
    if (err instanceof ProblemError) return errorResponse(err, c.req.path)
    log.error({ event: 'unhandled-error', method: c.req.method, path: c.req.path, err: { name: err.name, message: err.message, stack: err.stack } }, 'unhandled error')
    return errorResponse(internalError(), c.req.path)
  })
  // Never an empty body: a known OpenAI path with the wrong method is a 405, anything else a 404, each in the shape
  // the path's clients read (http/errors.ts).
  app.notFound((c) => errorResponse(methodNotAllowed(c.req.method, c.req.path) ?? new ProblemError({
    status: 404, code: isOpenAiPath(c.req.path) ? 'unknown_url' : 'not-found', title: 'Not found',
    detail: `No route for ${c.req.method} ${c.req.path}.`,
  }), c.req.path))

  // 1. Probes: unauthenticated, for the kubelet and the local driver.
  app.get(RUNTIME_PATHS.healthz, (c) => c.json({ ok: true }))
  app.get(RUNTIME_PATHS.readyz, (c) => {
    const config = state.config()
    const body = { ready: state.isReady(), assigned: config !== null, draining: state.isDraining(), agentId: config?.agentId ?? null }
    return c.json(body, body.ready ? 200 : 503)
  })

  // 2. Control plane calls, bearer control token.
  app.route('/', controlRoutes({ state, token: deps.controlToken, log }) as unknown as Hono<AppEnv>)

  // 3. Everything else must come through the edge for this agent's slug.
  app.use('*', edgeAuth({ verifier: deps.edgeVerifier, log }))
  // 3b. A trace span per request that came through the edge, continuing its traceparent (telemetry/tracing.ts).
  app.use('*', requestSpans())

  // 4. Refuse new work while draining or before the database is ready; count what is in flight.
  app.use('*', async function inFlight(c, next) {
    // Marked like an ingress's "no endpoints": the edge then replays the request through the gate (a new process or
    // pod), instead of handing the client a 503 from a runtime that is on its way out or not yet in.
    const unavailable = { 'retry-after': '1', [NO_ENDPOINTS]: '1' }
    if (state.isDraining()) throw new ProblemError({
      status: 503, code: 'draining', title: 'Shutting down',
      detail: 'This superfriend is restarting; retry shortly.',
      headers: unavailable,
    })
    if (!state.isReady()) throw new ProblemError({
      status: 503, code: 'not-ready', title: 'Not ready',
      detail: 'This superfriend is still starting; retry shortly.',
      headers: unavailable,
    })
    const end = state.begin()
    try {
      await next()
    } finally {
      // A streamed body keeps its own in-flight mark (see http/sse.ts); this one covers the handler itself.
      end()
    }
  })

  // 5. The agent itself.
  app.route('/', deps.agentRoutes)
  return app
}
