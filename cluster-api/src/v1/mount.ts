// Assembles /v1 (stage 5 of the pipeline in app.ts): authentication first (every /v1 route sees the principal, or
// null), then the OpenAPI-described routes, the Clerk webhook, the OpenAPI document and the local JWKS.

import { OpenAPIHono } from '@hono/zod-openapi'
import type { Hono } from 'hono'
import type { ApiDeps } from '../context.ts'
import { authenticate } from '../auth/authenticate.ts'
import { createLocalIssuer, LOCAL_AUDIENCE, LOCAL_ISSUER, type LocalIssuer } from '../auth/local-issuer.ts'
import type { AuthEnv } from '../auth/principal.ts'
import { createTokenVerifier } from '../auth/token-verifier.ts'
import { validationError } from '../http/json-body.ts'
import type { AgentDataPurger } from '../tenant-db/agent-data-purger.ts'
import type { Workloads } from '../workloads/workloads.ts'
import type { Runs } from '../runs/index.ts'
import { registerRunRoutes } from '../runs/routes.ts'
import { registerScheduleRoutes } from '../schedules/routes.ts'
import { registerAgentRoutes } from './agents.ts'
import { registerApiKeyRoutes } from './api-keys.ts'
import { registerSecretRoutes } from './secrets.ts'
import { registerClerkWebhook } from './clerk-webhook.ts'
import { registerSystemRoutes } from './system.ts'
import { registerTenantRoutes } from './tenants.ts'
import { registerUsageRoutes } from './usage.ts'

export const JWKS_PATH = '/.well-known/jwks.json'
const PUBLIC_PATHS = new Set(['/v1/health', '/v1/openapi.json', '/v1/dev/sign-in', '/v1/webhooks/clerk'])

export interface AuthOptions {
  /** Expected `iss`. Default (local issuer): `myintell-local`. Required with jwksUrl. */
  issuer?: string | undefined
  /** External JWKS (Clerk: https://<instance>.clerk.accounts.dev/.well-known/jwks.json). Unset: the cluster-api is its own issuer. */
  jwksUrl?: string | undefined
  /** Expected `aud`. Local default `myintell`; unset with an external issuer: not checked. */
  audience?: string | undefined
  /** POST /v1/dev/sign-in. Default: on with the local issuer; never available with an external one. */
  devSignIn?: boolean | undefined
}

export interface MountV1Options {
  deps: ApiDeps
  workloads: Workloads
  auth: AuthOptions
  clerkWebhookSecret: string | undefined
  /** Filled in once the server listens; the local JWKS URL derives from it. */
  selfUrl: { value: string }
  ping: () => Promise<void>
  /** Purges a deleted agent's data from its tenant database. */
  purger: AgentDataPurger
  /** Runs and schedules; null: their routes answer 503 runs-unavailable. */
  runs: Runs | null
  schedulesPerAgent: number
}

export async function mountV1(options: MountV1Options): Promise<(app: Hono) => void> {
  const { deps, workloads, auth } = options
  const external = !!auth.jwksUrl
  if (external && !auth.issuer) throw new Error('AUTH_ISSUER is required when AUTH_JWKS_URL is set')
  if (external && auth.devSignIn) throw new Error('dev sign-in needs the local issuer; unset AUTH_JWKS_URL or disable dev sign-in')
  const issuer = auth.issuer ?? LOCAL_ISSUER
  const audience = external ? auth.audience : auth.audience ?? LOCAL_AUDIENCE
  const localIssuer: LocalIssuer | null = external ? null : await createLocalIssuer(deps.db)
  const verifyToken = createTokenVerifier({
    jwksUrl: () => auth.jwksUrl ?? `${options.selfUrl.value}${JWKS_PATH}`,
    issuer,
    audience,
  })

  const v1 = new OpenAPIHono<AuthEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error)
    },
  })
  v1.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http', scheme: 'bearer',
    description: 'A session JWT (Clerk, or POST /v1/dev/sign-in locally) or an API key `mi_<prefix>_<secret>`',
  })
  const authenticateCaller = authenticate({ db: deps.db, verifyToken })
  v1.use('/v1/*', async (c, next) => {
    // Public routes ignore credentials: a stale session token must not block signing in again.
    if (PUBLIC_PATHS.has(c.req.path)) {
      c.set('principal', null)
      return next()
    }
    return authenticateCaller(c, next)
  })
  registerSystemRoutes(v1, deps, {
    ping: options.ping,
    devSignIn: localIssuer && auth.devSignIn !== false ? { issuer: localIssuer, iss: issuer, aud: audience ?? LOCAL_AUDIENCE } : null,
  })
  registerTenantRoutes(v1, deps)
  registerAgentRoutes(v1, deps, workloads, options.purger)
  registerSecretRoutes(v1, deps, workloads)
  registerApiKeyRoutes(v1, deps)
  registerUsageRoutes(v1, deps)
  registerRunRoutes(v1, deps, () => options.runs?.queue ?? null)
  registerScheduleRoutes(v1, deps, { maxPerAgent: options.schedulesPerAgent })
  if (options.clerkWebhookSecret) registerClerkWebhook(v1 as unknown as Hono, deps, options.clerkWebhookSecret)
  v1.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'myintell.ai platform API',
      version: '1',
      description: 'Tenants, agents (superfriends), API keys, usage, runs and schedules. Errors are application/problem+json with a stable `code`. '
        + 'Tenant-scoped routes act for the tenant named by the X-MyIntell-Tenant header (or the API key\'s tenant).',
    },
  })
  return (app) => {
    if (localIssuer) app.get(JWKS_PATH, (c) => c.json(localIssuer.jwks(), 200, { 'cache-control': 'public, max-age=300' }))
    app.route('/', v1 as unknown as Hono)
  }
}
