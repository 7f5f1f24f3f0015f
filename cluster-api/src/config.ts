// The cluster-api's configuration, read from the environment once at start-up into a typed object.
// Bad values fail fast with a message naming the variable; every default is documented in README.md.

import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { MIN_SECRET_LENGTH } from '../../wire/signature.ts'
import type { DriverName } from './drivers/index.ts'

export interface ClusterApiConfig {
  production: boolean
  databaseUrl: string | undefined
  dbDriver: 'postgres' | 'neon' | undefined
  neonWsProxy: string | undefined
  dataDir: string
  port: number
  host: string
  signingSecret: string
  /** null: start without a workload driver (wake and status answer 503). */
  driver: DriverName | null
  platformUrl: string | undefined
  auth: { issuer: string | undefined; jwksUrl: string | undefined; audience: string | undefined; devSignIn: boolean }
  clerkWebhookSecret: string | undefined
  idleTimeoutMs: number
  scalerToken: string | undefined
  logLevel: string
  runtimeSecrets: Record<string, string>
  tenantDatabases: TenantDatabaseConfig
}

/** Where tenants' own databases are created (see tenant-databases.ts). */
export type TenantDatabaseConfig =
  | { kind: 'postgres'; adminUrl: string | undefined; roleSecret: string | undefined }
  | { kind: 'neon'; apiKey: string; projectId: string; branchId: string | undefined }

/** Provider keys handed to agent runtimes when set. */
export const RUNTIME_SECRET_NAMES = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GOOGLE_API_KEY', 'OPENROUTER_API_KEY'] as const

const optional = z.string().trim().min(1).optional().catch(undefined)
const boolean = z.enum(['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off']).transform((v) => ['1', 'true', 'yes', 'on'].includes(v))
const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  MYINTELL_DB_DRIVER: z.enum(['postgres', 'neon']).optional(),
  MYINTELL_NEON_WS_PROXY: z.string().min(1).optional(),
  MYINTELL_DATA_DIR: z.string().min(1).default('.data'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8788),
  HOST: z.string().min(1).default('127.0.0.1'),
  EDGE_SIGNING_SECRET: z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`).optional(),
  MYINTELL_DRIVER: z.enum(['local', 'kubernetes', 'none']).default('local'),
  MYINTELL_PLATFORM_URL: z.url().optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  MYINTELL_DEV_SIGN_IN: boolean.optional(),
  CLERK_WEBHOOK_SECRET: z.string().startsWith('whsec_', 'must be the whsec_… secret Clerk shows').optional(),
  MYINTELL_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(300_000),
  MYINTELL_SCALER_TOKEN: z.string().min(16).optional(),
  MYINTELL_TENANT_DB: z.enum(['postgres', 'neon']).default('postgres'),
  TENANT_DB_ADMIN_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  TENANT_DB_ROLE_SECRET: z.string().min(32).optional(),
  NEON_API_KEY: z.string().min(1).optional(),
  NEON_PROJECT_ID: z.string().min(1).optional(),
  NEON_BRANCH_ID: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): ClusterApiConfig {
  // Empty strings mean "unset" (a blank line in an .env file must not become a value).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  const production = e.NODE_ENV === 'production'
  if (e.AUTH_JWKS_URL && !e.AUTH_ISSUER) throw new ConfigError('invalid configuration:\n  AUTH_ISSUER: required when AUTH_JWKS_URL is set')
  if (production && !e.EDGE_SIGNING_SECRET) throw new ConfigError('invalid configuration:\n  EDGE_SIGNING_SECRET: required in production')
  if (production && !e.AUTH_JWKS_URL) throw new ConfigError('invalid configuration:\n  AUTH_JWKS_URL: required in production (the local issuer is for development)')
  const devSignIn = e.MYINTELL_DEV_SIGN_IN ?? (!production && !e.AUTH_JWKS_URL)
  if (devSignIn && e.AUTH_JWKS_URL) throw new ConfigError('invalid configuration:\n  MYINTELL_DEV_SIGN_IN: needs the local issuer; unset AUTH_JWKS_URL')
  if (e.MYINTELL_TENANT_DB === 'neon' && (!e.NEON_API_KEY || !e.NEON_PROJECT_ID)) {
    throw new ConfigError('invalid configuration:\n  NEON_API_KEY, NEON_PROJECT_ID: required when MYINTELL_TENANT_DB=neon')
  }
  const tenantDatabases: TenantDatabaseConfig = e.MYINTELL_TENANT_DB === 'neon'
    ? { kind: 'neon', apiKey: e.NEON_API_KEY!, projectId: e.NEON_PROJECT_ID!, branchId: e.NEON_BRANCH_ID }
    : { kind: 'postgres', adminUrl: e.TENANT_DB_ADMIN_URL, roleSecret: e.TENANT_DB_ROLE_SECRET }
  const runtimeSecrets: Record<string, string> = {}
  for (const name of RUNTIME_SECRET_NAMES) {
    const value = optional.parse(env[name])
    if (value) runtimeSecrets[name] = value
  }
  return {
    production,
    databaseUrl: e.DATABASE_URL,
    dbDriver: e.MYINTELL_DB_DRIVER,
    neonWsProxy: e.MYINTELL_NEON_WS_PROXY,
    dataDir: e.MYINTELL_DATA_DIR,
    port: e.PORT,
    host: e.HOST,
    signingSecret: e.EDGE_SIGNING_SECRET ?? localSigningSecret(e.MYINTELL_DATA_DIR),
    driver: e.MYINTELL_DRIVER === 'none' ? null : e.MYINTELL_DRIVER,
    platformUrl: e.MYINTELL_PLATFORM_URL,
    auth: { issuer: e.AUTH_ISSUER, jwksUrl: e.AUTH_JWKS_URL, audience: e.AUTH_AUDIENCE, devSignIn },
    clerkWebhookSecret: e.CLERK_WEBHOOK_SECRET,
    idleTimeoutMs: e.MYINTELL_IDLE_TIMEOUT_MS,
    scalerToken: e.MYINTELL_SCALER_TOKEN,
    logLevel: e.LOG_LEVEL,
    runtimeSecrets,
    tenantDatabases,
  }
}

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
