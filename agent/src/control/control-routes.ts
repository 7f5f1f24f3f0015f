// Control endpoints the cluster-api calls: assign a warm-pool runtime, update its config (persona, model, secrets).
// Authenticated by the bearer control token, not the edge signature; a runtime without a token accepts no control call.
import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import type { MiddlewareHandler } from 'hono'
import { RUNTIME_PATHS } from '../../../wire/runtime.ts'
import { parseRuntimeConfig } from '../config/runtime-config.ts'
import { readJson } from '../http/read-json.ts'
import type { Logger } from '../log.ts'
import type { RuntimeState } from '../runtime-state.ts'
import { ProblemError } from '../../../wire/problem.ts'

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

export const controlAuth = (opts: { token: string | null; log: Logger }): MiddlewareHandler => async function controlAuth(c, next) {
  const header = c.req.header('authorization') ?? ''
  const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : ''
  // Hashing first gives equal-length buffers, so the comparison is constant-time whatever was sent.
  const ok = opts.token !== null && presented !== '' && timingSafeEqual(digest(presented), digest(opts.token))
  if (!ok) {
    opts.log.warn({ event: 'control-auth-refused', method: c.req.method, path: c.req.path, reason: presented ? 'bad-token' : 'missing-token' }, 'control call refused')
    throw new ProblemError({
      status: 401, code: 'control-unauthorized', title: 'Unauthorized',
      detail: 'A valid control token is required.',
      headers: { 'www-authenticate': 'Bearer' },
    })
  }
  await next()
}

export function controlRoutes(opts: { state: RuntimeState; token: string | null; log: Logger }): Hono {
  const app = new Hono()
  // Per route, not '*': this app is mounted at the root and must not guard the agent's own routes.
  const auth = controlAuth({ token: opts.token, log: opts.log })

  async function configFrom(req: Request) {
    const parsed = parseRuntimeConfig(await readJson(req))
    if (!parsed.ok) throw new ProblemError({
      status: 400, code: 'invalid-config', title: 'Invalid runtime configuration',
      detail: parsed.issues.join('; '),
    })
    return parsed.config
  }

  function answer(outcome: string, state: RuntimeState): Response {
    const config = state.config()
    return Response.json({ outcome, agentId: config?.agentId ?? null, slug: config?.slug ?? null, ready: state.isReady() })
  }

  app.post(RUNTIME_PATHS.assign, auth, async (c) => {
    if (opts.state.isDraining()) throw new ProblemError({
      status: 503, code: 'draining', title: 'Draining',
      detail: 'This runtime is shutting down.',
    })
    const config = await configFrom(c.req.raw)
    const outcome = await opts.state.assign(config)
    if (outcome === 'conflict') throw new ProblemError({
      status: 409, code: 'already-assigned', title: 'Already assigned',
      detail: 'This runtime serves another agent.',
    })
    return answer(outcome, opts.state)
  })

  app.put(RUNTIME_PATHS.config, auth, async (c) => {
    const config = await configFrom(c.req.raw)
    const outcome = await opts.state.updateConfig(config)
    if (outcome === 'not-assigned') throw new ProblemError({
      status: 409, code: 'not-assigned', title: 'Not assigned',
      detail: 'Assign this runtime before updating its configuration.',
    })
    if (outcome === 'conflict') throw new ProblemError({
      status: 409, code: 'already-assigned', title: 'Already assigned',
      detail: 'This runtime serves another agent.',
    })
    return answer(outcome, opts.state)
  })
  return app
}
