// Public, unauthenticated /v1 routes: health, the local issuer's dev sign-in, and the JWKS.

import { createHash } from 'node:crypto'
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { ApiDeps } from '../context.ts'
import { upsertUser } from '../db/queries/users.ts'
import { databaseUnavailable } from '../http/problems.ts'
import type { AuthEnv } from '../auth/principal.ts'
import { LOCAL_TOKEN_TTL_SECONDS, type LocalIssuer } from '../auth/local-issuer.ts'
import { errorResponses, jsonBody, jsonResponse, ProblemSchema } from './schemas.ts'

export interface SystemRouteOptions {
  ping: () => Promise<void>
  /** Present only when dev sign-in is enabled. */
  devSignIn: { issuer: LocalIssuer; iss: string; aud: string } | null
}

const SignInSchema = z.strictObject({ email: z.email().max(320) }).openapi('DevSignIn')
const SessionSchema = z.object({ token: z.string(), userId: z.string(), expiresAt: z.string() }).openapi('Session')

/** Dev users get a stable id from their email, so signing in twice is the same user. */
export function devUserId(email: string): string {
  return `dev_${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 24)}`
}

export function registerSystemRoutes(app: OpenAPIHono<AuthEnv>, deps: ApiDeps, options: SystemRouteOptions): void {
  app.openapi(createRoute({
    method: 'get', path: '/v1/health', tags: ['system'], summary: 'Health, including a database round trip',
    responses: {
      200: jsonResponse(z.object({ status: z.literal('ok'), database: z.literal('ok') }), 'Healthy'),
      503: {
        description: 'A dependency does not answer: `dependency` names it (`database`); Retry-After says when to ask again',
        content: { 'application/problem+json': { schema: ProblemSchema.extend({ dependency: z.literal('database') }) } },
      },
    },
  }), async (c) => {
    try {
      await options.ping()
    } catch (error) {
      deps.logger.warn({ reason: (error as Error).message }, 'health check: platform database unavailable')
      throw databaseUnavailable(error)
    }
    return c.json({ status: 'ok' as const, database: 'ok' as const }, 200)
  })

  const devSignIn = options.devSignIn
  if (!devSignIn) return
  app.openapi(createRoute({
    method: 'post', path: '/v1/dev/sign-in', tags: ['system'],
    summary: 'Local development only: a session token for any email (disabled in production)',
    request: { body: jsonBody(SignInSchema) },
    responses: { 200: jsonResponse(SessionSchema, 'A session token for Authorization: Bearer'), ...errorResponses },
  }), async (c) => {
    const { email } = c.req.valid('json')
    const userId = devUserId(email)
    await upsertUser(deps.db, userId, email)
    const token = await devSignIn.issuer.mint({ sub: userId, email }, { issuer: devSignIn.iss, audience: devSignIn.aud })
    return c.json({ token, userId, expiresAt: new Date(Date.now() + LOCAL_TOKEN_TTL_SECONDS * 1000).toISOString() }, 200)
  })
}
