// Where to talk and as whom: flags first, then the environment, then the login, then `npm start`'s dev key.
// A stored credential is only used for the API URL it was created for, so it never leaks to another host.

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FlagValues, Io } from './command.ts'
import { str } from './command.ts'
import { configPath, readConfig, type StoredConfig } from './config-store.ts'
import { CliError, UsageError } from './errors.ts'
import { flag, settingsSchema, text, url, type SettingsOf } from '../../wire/settings.ts'

export const DEFAULT_API_URL = 'http://api.localhost:8787'
/** Written by `npm start` on first run (mode 0600). */
export const DEV_KEY_PATH = join('.data', 'dev-api-key')

/** What the CLI reads from the environment, parsed once in main.ts's run(); flags and the login come on top. */
export const CLI_SETTINGS = settingsSchema({
  apiUrl: url('MYINTELL_API_URL', { documentedDefault: DEFAULT_API_URL, doc: 'the platform API base URL; unset: the login\'s, else the local one' }),
  apiKey: text('MYINTELL_API_KEY', { secret: true, doc: 'an API key mi_…; unset: the login, else ./.data/dev-api-key' }),
  tenant: text('MYINTELL_TENANT', { doc: 'the tenant to act for (id or slug)' }),
  configFile: text('MYINTELL_CONFIG', { doc: 'a different login file path' }),
  configHome: text('XDG_CONFIG_HOME', { documentedDefault: '~/.config', doc: 'the login lives in $XDG_CONFIG_HOME/myintell/config.json' }),
  debug: flag('MYINTELL_DEBUG', { default: false, documentedDefault: 'off', doc: 'print the stack of an unexpected error' }),
})

export type CliEnv = SettingsOf<typeof CLI_SETTINGS.settings>

export type Credential =
  | { kind: 'key'; secret: string; source: string }
  | { kind: 'session'; secret: string; source: string }

export function normalizeUrl(raw: string, flag: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UsageError(`${flag} is not a URL: ${raw}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} must be http(s): ${raw}`)
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

export function resolveApiUrl(flags: FlagValues, io: Io, config: StoredConfig | null = readConfig(configPath(io.env))): string {
  const flag = str(flags, 'api-url')
  if (flag) return normalizeUrl(flag, '--api-url')
  if (io.env.apiUrl) return normalizeUrl(io.env.apiUrl, 'MYINTELL_API_URL')
  return config?.apiUrl ?? DEFAULT_API_URL
}

export function resolveCredential(flags: FlagValues, io: Io, apiUrl: string, config: StoredConfig | null = readConfig(configPath(io.env))): Credential | null {
  const flag = str(flags, 'key')
  if (flag) return { kind: 'key', secret: flag, source: '--key' }
  if (io.env.apiKey) return { kind: 'key', secret: io.env.apiKey, source: 'MYINTELL_API_KEY' }
  if (config && config.apiUrl === apiUrl) {
    const stored = config.credential
    return stored.kind === 'key'
      ? { kind: 'key', secret: stored.key, source: 'login' }
      : { kind: 'session', secret: stored.token, source: 'login' }
  }
  const devKey = join(io.cwd, DEV_KEY_PATH)
  if (existsSync(devKey)) {
    const secret = readFileSync(devKey, 'utf8').trim()
    if (secret) return { kind: 'key', secret, source: DEV_KEY_PATH }
  }
  return null
}

export function requireCredential(credential: Credential | null, apiUrl: string): Credential {
  if (credential) return credential
  throw new CliError(`not logged in to ${apiUrl}: run \`myintell login\`, or pass --key / set MYINTELL_API_KEY`)
}

/** The tenant named on the command line or in the environment, else the one chosen with `tenants use`. */
export function requestedTenant(flags: FlagValues, io: Io, apiUrl: string, config: StoredConfig | null = readConfig(configPath(io.env))): string | null {
  const named = str(flags, 'tenant') ?? io.env.tenant
  if (named) return named
  return config && config.apiUrl === apiUrl ? config.tenantId ?? null : null
}

/**
 * `<scheme>://<slug>.<base>` where base is the API host without its `api.` label:
 * http://api.localhost:8787 → http://demo.localhost:8787, https://api.myintell.ai → https://demo.myintell.ai.
 */
export function deriveAgentUrl(apiUrl: string, slug: string): string {
  const url = new URL(apiUrl)
  const labels = url.hostname.split('.')
  if (labels[0] !== 'api' || labels.length < 2) {
    throw new CliError(`cannot derive the agent URL from ${apiUrl} (its host does not start with "api."): pass --agent-url`)
  }
  return `${url.protocol}//${slug}.${labels.slice(1).join('.')}${url.port ? `:${url.port}` : ''}`
}
