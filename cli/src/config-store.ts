// The login, kept in $XDG_CONFIG_HOME/myintell/config.json (default ~/.config): mode 0600 in a 0700 directory,
// because it holds an API key or a session token.

import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { CliError } from './errors.ts'

export type StoredCredential =
  | { kind: 'key'; key: string }
  | { kind: 'session'; token: string; userId: string; email: string; expiresAt: string }

export interface StoredConfig {
  /** The API the credential belongs to; it is never sent anywhere else. */
  apiUrl: string
  credential: StoredCredential
  /** Default tenant id for tenant-scoped commands (`myintell tenants use`). */
  tenantId?: string
}

/** MYINTELL_CONFIG, else $XDG_CONFIG_HOME/myintell/config.json (settings.ts CLI_SETTINGS reads both). */
export function configPath(env: { configFile?: string | undefined; configHome?: string | undefined }): string {
  if (env.configFile) return env.configFile
  return join(env.configHome ?? join(homedir(), '.config'), 'myintell', 'config.json')
}

export function readConfig(path: string): StoredConfig | null {
  if (!existsSync(path)) return null
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as StoredConfig
    if (typeof parsed.apiUrl !== 'string' || !parsed.credential) throw new Error('missing apiUrl or credential')
    return parsed
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}; run \`myintell logout\` and log in again`)
  }
}

export function writeConfig(config: StoredConfig, path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
  // writeFileSync keeps the mode of an existing file; make sure it is private either way.
  chmodSync(path, 0o600)
}

/** Returns whether there was a login to remove. */
export function removeConfig(path: string): boolean {
  if (!existsSync(path)) return false
  rmSync(path)
  return true
}
