// The cluster-api's configuration: its own settings and its driver's section, read from the environment once at
// start-up by one schema each (wire/settings.ts). Bad values fail fast, one line per variable; the README's
// tables are checked against these schemas (test/settings/readme-tables.test.ts).

import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_IDLE_TIMEOUT_MS } from '../../wire/idle-timeout.ts'
import { egressPolicy } from '../../wire/egress.ts'
import { choice, custom, flag, integer, port, settingsSchema, SettingsError, text, url, type SettingsOf } from '../../wire/settings.ts'
import { MIN_SECRET_LENGTH } from '../../wire/signature.ts'
import { formatOtlpHeaders, otelSettings, type TracingSettings } from '../../wire/otel.ts'
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from './auth/local-issuer.ts'
import type { DriverSettings } from './drivers/index.ts'
import { KUBERNETES_DRIVER_ENV, type KubernetesDriverEnv } from './drivers/kubernetes/env.ts'
import { LOCAL_DRIVER_ENV, type LocalDriverEnv } from './drivers/local/env.ts'
import { INHERITED_ENV } from './drivers/local/options.ts'
import { parseSecretsKey } from './secrets/key-ring.ts'
import { localSecretsKey, type SecretsKeys } from './secrets/secrets-key.ts'

export interface ClusterApiConfig {
  production: boolean
  databaseUrl: string | undefined
  dbDriver: 'postgres' | 'neon' | undefined
  neonWsProxy: string | undefined
  dataDir: string
  port: number
  host: string
  signingSecret: string
  /** The driver and its section of the settings; null: start without one (wake and status answer 503). */
  driver: DriverSettings | null
  platformUrl: string | undefined
  auth: { issuer: string | undefined; jwksUrl: string | undefined; audience: string | undefined; devSignIn: boolean }
  clerkWebhookSecret: string | undefined
  idleTimeoutMs: number
  scalerToken: string | undefined
  logLevel: ClusterApiSettings['logLevel']
  runtimeSecrets: Record<string, string>
  tenantDatabases: TenantDatabaseConfig
  /** The keys agent secrets are sealed with (secrets/key-ring.ts). Secret. */
  secretsKeys: SecretsKeys
  /** MYINTELL_EGRESS_ALLOW as set: what agents (and the MCP URL check) may reach among private addresses. */
  egressAllow: string | undefined
  /** Per-agent workspace quota handed to runtimes; undefined: the runtime's own default. */
  workspaceQuotaBytes: number | undefined
  /** OpenTelemetry traces (telemetry/tracing.ts); off without an endpoint. */
  tracing: TracingSettings
  runs: RunsSettings
}

/** Runs and schedules (runs/, schedules/). */
export interface RunsSettings {
  concurrency: number
  maxAttempts: number
  retryDelayS: number
  wakeTimeoutMs: number
  originUrl: string | undefined
  scheduleTickMs: number
  schedulesPerAgent: number
}

/** Where tenants' own databases are created (see tenant-databases.ts). */
export type TenantDatabaseConfig =
  | { kind: 'postgres'; adminUrl: string | undefined; roleSecret: string | undefined }
  | { kind: 'neon'; apiKey: string; projectId: string; branchId: string | undefined }

/** Provider keys and base URLs handed to agent runtimes when set: the defaults an agent's own secrets override. */
export const RUNTIME_SECRET_NAMES = [
  'ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GOOGLE_API_KEY', 'OPENROUTER_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL',
] as const

const POSTGRES = ['postgres', 'postgresql']
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** The cluster-api's own variables; each driver adds its section (drivers/local/env.ts, drivers/kubernetes/env.ts). */
export const CLUSTER_API_SETTINGS = settingsSchema({
  nodeEnv: text('NODE_ENV', { doc: '`production` turns dev sign-in off and requires the production settings' }),
  databaseUrl: url('DATABASE_URL', { protocols: POSTGRES, secret: true, doc: 'the platform database; unset: embedded PostgreSQL' }),
  dbDriver: choice('MYINTELL_DB_DRIVER', ['postgres', 'neon'], { documentedDefault: 'by URL', doc: 'forces the database driver for any URL' }),
  neonWsProxy: text('MYINTELL_NEON_WS_PROXY', { doc: 'plain-WebSocket proxy for the Neon driver (local testing only)' }),
  dataDir: text('MYINTELL_DATA_DIR', { default: '.data', doc: 'local state: embedded PostgreSQL, the local signing secret' }),
  port: port('PORT', { default: 8788, doc: 'where the cluster-api listens' }),
  host: text('HOST', { default: '127.0.0.1', doc: 'the interface the cluster-api listens on' }),
  signingSecret: text('EDGE_SIGNING_SECRET', {
    secret: true, minLength: MIN_SECRET_LENGTH, doc: 'the master signing secret, shared with the edge only; locally a random one in the data directory',
  }),
  driver: choice('MYINTELL_DRIVER', ['local', 'kubernetes', 'none'], { default: 'local', doc: 'the workload driver' }),
  platformUrl: url('MYINTELL_PLATFORM_URL', { documentedDefault: 'the listen URL', doc: 'the URL runtimes and KEDA use to reach the cluster-api' }),
  authIssuer: text('AUTH_ISSUER', { documentedDefault: LOCAL_ISSUER, doc: 'the expected `iss`; required with AUTH_JWKS_URL' }),
  authJwksUrl: url('AUTH_JWKS_URL', { doc: 'an external JWKS (Clerk); unset: the cluster-api is its own issuer' }),
  authAudience: text('AUTH_AUDIENCE', { documentedDefault: LOCAL_AUDIENCE, doc: 'the expected `aud`' }),
  devSignIn: flag('MYINTELL_DEV_SIGN_IN', { doc: 'POST /v1/dev/sign-in; unset: on locally, off in production or with an external issuer' }),
  clerkWebhookSecret: text('CLERK_WEBHOOK_SECRET', {
    secret: true, prefix: 'whsec_', hint: 'the whsec_… secret Clerk shows', doc: 'the secret of the Clerk webhook endpoint; unset: the route is absent',
  }),
  idleTimeoutMs: integer('MYINTELL_IDLE_TIMEOUT_MS', {
    default: DEFAULT_IDLE_TIMEOUT_MS, unit: 'ms', zero: 'never idle out',
    doc: 'inactivity before a superfriend is put to sleep (local: its process stops; kubernetes: KEDA\'s trigger reads 0)',
  }),
  scalerToken: text('MYINTELL_SCALER_TOKEN', { secret: true, minLength: 16, doc: 'the bearer token KEDA presents on /internal/v1/scaling/*' }),
  tenantDb: choice('MYINTELL_TENANT_DB', ['postgres', 'neon'], { default: 'postgres', doc: 'where tenant databases live' }),
  tenantDbAdminUrl: url('TENANT_DB_ADMIN_URL', {
    protocols: POSTGRES, secret: true, documentedDefault: 'the platform\'s server', doc: 'a role with CREATEDB, for tenant databases',
  }),
  tenantDbRoleSecret: text('TENANT_DB_ROLE_SECRET', { secret: true, minLength: 32, doc: 'when set, each tenant gets its own login role' }),
  neonApiKey: text('NEON_API_KEY', { secret: true, doc: 'with MYINTELL_TENANT_DB=neon: the Neon API key' }),
  neonProjectId: text('NEON_PROJECT_ID', { doc: 'with MYINTELL_TENANT_DB=neon: the Neon project' }),
  neonBranchId: text('NEON_BRANCH_ID', { doc: 'with MYINTELL_TENANT_DB=neon: the branch (default: the project\'s default)' }),
  runConcurrency: integer('MYINTELL_RUN_CONCURRENCY', {
    default: 4, unit: 'count', max: 1_000, zero: 'this process runs no runs (it still queues them and fires schedules)',
    doc: 'runs (background turns) this process works on at once',
  }),
  runAttempts: integer('MYINTELL_RUN_ATTEMPTS', {
    default: 3, unit: 'count', min: 1, max: 20, doc: 'attempts of a run whose agent did not wake or whose provider failed before any output, then it fails with the reason',
  }),
  runRetryDelayS: integer('MYINTELL_RUN_RETRY_DELAY_S', {
    default: 2, unit: 's', max: 3_600, zero: 'retry at once', doc: 'delay before a run\'s second attempt; doubled for each further one (pg-boss backoff)',
  }),
  runWakeTimeoutMs: integer('MYINTELL_RUN_WAKE_TIMEOUT_MS', {
    default: 30_000, unit: 'ms', min: 1, max: 600_000, doc: 'how long one attempt of a run waits for its agent to be ready',
  }),
  runsOriginUrl: url('MYINTELL_RUNS_ORIGIN_URL', {
    documentedDefault: 'the local driver\'s ingress', doc: 'where runs send their turns (the ingress in front of runtimes: Traefik in a cluster)',
  }),
  scheduleTickMs: integer('MYINTELL_SCHEDULE_TICK_MS', {
    default: 1_000, unit: 'ms', max: 60_000, zero: 'this process fires no schedules', doc: 'how often due schedules are looked for',
  }),
  schedulesPerAgent: integer('MYINTELL_SCHEDULES_PER_AGENT', {
    default: 50, unit: 'count', min: 1, max: 10_000, doc: 'the most schedules one agent may have',
  }),
  logLevel: choice('LOG_LEVEL', LOG_LEVELS, { default: 'info', doc: 'the pino level' }),
  ...otelSettings('myintell-cluster-api'),
  anthropicApiKey: text('ANTHROPIC_API_KEY', { secret: true, doc: 'handed to agent runtimes' }),
  openAiApiKey: text('OPENAI_API_KEY', { secret: true, doc: 'handed to agent runtimes' }),
  googleApiKey: text('GOOGLE_API_KEY', { secret: true, doc: 'handed to agent runtimes' }),
  openRouterApiKey: text('OPENROUTER_API_KEY', { secret: true, doc: 'handed to agent runtimes' }),
  openAiBaseUrl: url('OPENAI_BASE_URL', { doc: 'handed to agent runtimes: an OpenAI-compatible server (Ollama, vLLM, llama.cpp)' }),
  anthropicBaseUrl: url('ANTHROPIC_BASE_URL', { doc: 'handed to agent runtimes: another Anthropic endpoint' }),
  secretsKey: custom('MYINTELL_SECRETS_KEY', {
    parse: parseSecretsKey, documentedDefault: 'local: random, in the data directory',
    doc: 'base64 of 32 bytes: seals agent secrets (AES-256-GCM); required in production',
  }),
  secretsKeyPrevious: custom('MYINTELL_SECRETS_KEY_PREVIOUS', {
    parse: parseSecretsKey, doc: 'the key before a rotation: secrets it sealed are re-encrypted under MYINTELL_SECRETS_KEY at start-up',
  }),
  egressAllow: custom('MYINTELL_EGRESS_ALLOW', {
    parse: (raw) => {
      egressPolicy(raw) // refuses a bad entry at start-up, not at an agent's first fetch
      return raw
    },
    doc: 'private hosts and CIDRs agents may reach (http_fetch, MCP servers), comma-separated; unset: public addresses only',
  }),
  workspaceQuotaBytes: integer('MYINTELL_WORKSPACE_QUOTA_BYTES', {
    unit: 'bytes', min: 1, documentedDefault: 'the runtime\'s default', doc: 'each agent\'s workspace quota, handed to runtimes',
  }),
})

export type ClusterApiSettings = SettingsOf<typeof CLUSTER_API_SETTINGS.settings>

/** The cluster-api's settings and its driver's section, parsed without side effects (npm start reads them first). */
export function readSettings(env: Readonly<Record<string, string | undefined>>): { settings: ClusterApiSettings; driver: DriverSettings | null } {
  const core = CLUSTER_API_SETTINGS.read(env)
  const issues = [...core.issues]
  let driver: DriverSettings | null = null
  const name = core.issues.some((issue) => issue.startsWith('MYINTELL_DRIVER:')) ? undefined : core.values.driver
  if (name === 'local') {
    const local = LOCAL_DRIVER_ENV.read(env)
    issues.push(...local.issues)
    const inheritedEnv: Partial<Record<(typeof INHERITED_ENV)[number], string>> = {}
    for (const variable of INHERITED_ENV) {
      const value = env[variable]
      if (value !== undefined) inheritedEnv[variable] = value
    }
    driver = { name, local: local.values as LocalDriverEnv, idleTimeoutMs: core.values.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, inheritedEnv }
  } else if (name === 'kubernetes') {
    const kubernetes = KUBERNETES_DRIVER_ENV.read(env)
    issues.push(...kubernetes.issues)
    driver = { name, kubernetes: kubernetes.values as KubernetesDriverEnv }
  }
  if (issues.length > 0) throw new SettingsError(issues)
  return { settings: core.values as ClusterApiSettings, driver }
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): ClusterApiConfig {
  const { settings: e, driver } = readSettings(env)
  const production = e.nodeEnv === 'production'
  const rule = (issue: string) => new SettingsError([issue])
  if (e.authJwksUrl && !e.authIssuer) throw rule('AUTH_ISSUER: required when AUTH_JWKS_URL is set')
  if (production && !e.signingSecret) throw rule('EDGE_SIGNING_SECRET: required in production')
  if (production && !e.authJwksUrl) throw rule('AUTH_JWKS_URL: required in production (the local issuer is for development)')
  const devSignIn = e.devSignIn ?? (!production && !e.authJwksUrl)
  if (devSignIn && e.authJwksUrl) throw rule('MYINTELL_DEV_SIGN_IN: needs the local issuer; unset AUTH_JWKS_URL')
  if (e.tenantDb === 'neon' && (!e.neonApiKey || !e.neonProjectId)) throw rule('NEON_API_KEY, NEON_PROJECT_ID: required when MYINTELL_TENANT_DB=neon')
  const tenantDatabases: TenantDatabaseConfig = e.tenantDb === 'neon'
    ? { kind: 'neon', apiKey: e.neonApiKey!, projectId: e.neonProjectId!, branchId: e.neonBranchId }
    : { kind: 'postgres', adminUrl: e.tenantDbAdminUrl, roleSecret: e.tenantDbRoleSecret }
  if (production && !e.secretsKey) throw rule('MYINTELL_SECRETS_KEY: required in production (base64 of 32 bytes: openssl rand -base64 32)')
  if (e.secretsKeyPrevious && !e.secretsKey) throw rule('MYINTELL_SECRETS_KEY_PREVIOUS: needs MYINTELL_SECRETS_KEY, the key it is replaced by')
  const secrets: Record<(typeof RUNTIME_SECRET_NAMES)[number], string | undefined> = {
    ANTHROPIC_API_KEY: e.anthropicApiKey, OPENAI_API_KEY: e.openAiApiKey, GOOGLE_API_KEY: e.googleApiKey, OPENROUTER_API_KEY: e.openRouterApiKey,
    OPENAI_BASE_URL: e.openAiBaseUrl, ANTHROPIC_BASE_URL: e.anthropicBaseUrl,
  }
  const runtimeSecrets = Object.fromEntries(Object.entries(secrets).filter((entry): entry is [string, string] => entry[1] !== undefined))
  return {
    production,
    databaseUrl: e.databaseUrl,
    dbDriver: e.dbDriver,
    neonWsProxy: e.neonWsProxy,
    dataDir: e.dataDir,
    port: e.port,
    host: e.host,
    signingSecret: e.signingSecret ?? localSigningSecret(e.dataDir),
    driver,
    platformUrl: e.platformUrl,
    auth: { issuer: e.authIssuer, jwksUrl: e.authJwksUrl, audience: e.authAudience, devSignIn },
    clerkWebhookSecret: e.clerkWebhookSecret,
    idleTimeoutMs: e.idleTimeoutMs,
    scalerToken: e.scalerToken,
    logLevel: e.logLevel,
    runtimeSecrets,
    tenantDatabases,
    secretsKeys: { current: e.secretsKey ?? localSecretsKey(e.dataDir), previous: e.secretsKeyPrevious },
    egressAllow: e.egressAllow,
    workspaceQuotaBytes: e.workspaceQuotaBytes,
    tracing: { endpoint: e.otlpEndpoint, serviceName: e.otelServiceName, headers: e.otlpHeaders ?? {} },
    runs: {
      concurrency: e.runConcurrency, maxAttempts: e.runAttempts, retryDelayS: e.runRetryDelayS, wakeTimeoutMs: e.runWakeTimeoutMs,
      originUrl: e.runsOriginUrl, scheduleTickMs: e.scheduleTickMs, schedulesPerAgent: e.schedulesPerAgent,
    },
  }
}

/**
 * What every runtime gets from the platform's settings in its environment (the same for every agent, so a warm-pool
 * runtime can start with it): the egress allowlist and the workspace quota.
 */
export function runtimeEnvOf(config: Pick<ClusterApiConfig, 'egressAllow' | 'workspaceQuotaBytes'> & Partial<Pick<ClusterApiConfig, 'tracing'>>): Record<string, string> {
  return {
    ...(config.egressAllow ? { MYINTELL_EGRESS_ALLOW: config.egressAllow } : {}),
    ...(config.workspaceQuotaBytes ? { MYINTELL_WORKSPACE_QUOTA_BYTES: String(config.workspaceQuotaBytes) } : {}),
    // The platform's collector, so a runtime's spans join the trace; its service name stays the runtime's own.
    ...otlpEnvOf(config.tracing),
  }
}

function otlpEnvOf(tracing: TracingSettings | undefined): Record<string, string> {
  if (!tracing?.endpoint) return {}
  const headers = formatOtlpHeaders(tracing.headers)
  return { OTEL_EXPORTER_OTLP_ENDPOINT: tracing.endpoint, ...(headers ? { OTEL_EXPORTER_OTLP_HEADERS: headers } : {}) }
}

/** Local driver: agents' workspaces are directories under the data directory. */
export const LOCAL_WORKSPACES_DIR = 'workspaces'

/** Locally, a random secret kept in `<dataDir>/edge-signing-secret`, so the local edge can read the same one. */
export const LOCAL_SECRET_FILE = 'edge-signing-secret'

function localSigningSecret(dataDir: string): string {
  const file = join(dataDir, LOCAL_SECRET_FILE)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  return secret
}
