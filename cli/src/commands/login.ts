// `myintell login` and `myintell logout`: keep (or forget) an API key or a dev session for one API URL.

import type { Command } from '../command.ts'
import { str } from '../command.ts'
import { ApiClient, type Tenant } from '../api-client.ts'
import { configPath, readConfig, removeConfig, writeConfig, type StoredCredential } from '../config-store.ts'
import { CliError, UsageError } from '../errors.ts'
import { printJson, wantsJson } from '../output.ts'
import { readSecret } from '../prompt.ts'
import { resolveApiUrl } from '../settings.ts'

/** The user `npm start` seeds the dev tenant for, so a dev sign-in sees the demo superfriend. */
export const DEV_EMAIL = 'dev@myintell.localhost'

export const login: Command = {
  name: 'login',
  summary: 'Log in with an API key, or with the dev sign-in of a local platform',
  args: '[flags]',
  description: [
    'With --key (or a key typed at the prompt, or piped on stdin) the key is checked against the API and stored.',
    'With --dev the local platform\'s POST /v1/dev/sign-in issues a session token (12 h) for --email.',
    `The login is written to ${'$XDG_CONFIG_HOME/myintell/config.json'} (mode 0600) and used only for that API URL.`,
  ].join('\n'),
  flags: {
    dev: { type: 'boolean', description: 'use the dev sign-in (local platform only)' },
    email: { type: 'string', value: 'EMAIL', description: `email for --dev (default ${DEV_EMAIL})` },
  },
  positionals: [0, 0],
  async run({ io, flags }) {
    // Logging in again without --api-url goes to the API of the current login.
    const apiUrl = resolveApiUrl(flags, io, readConfigQuietly(configPath(io.env)))
    let credential: StoredCredential
    let who: string
    if (flags.dev) {
      if (str(flags, 'key')) throw new UsageError('use either --dev or --key, not both', 'login')
      const email = str(flags, 'email') ?? DEV_EMAIL
      const anonymous = new ApiClient({ apiUrl, credential: null, tenant: null })
      const session = await anonymous.post<{ token: string; userId: string; expiresAt: string }>('/v1/dev/sign-in', { email }, { tenant: false })
      credential = { kind: 'session', token: session.token, userId: session.userId, email, expiresAt: session.expiresAt }
      who = `${email} (dev session until ${session.expiresAt})`
    } else {
      if (str(flags, 'email')) throw new UsageError('--email goes with --dev', 'login')
      const key = str(flags, 'key') ?? await readSecret(io, 'API key (mi_…): ')
      if (!key) throw new UsageError('no API key given: pass --key, type it at the prompt, or use --dev', 'login')
      if (!key.startsWith('mi_')) throw new UsageError('an API key starts with "mi_"', 'login')
      // Checks the key before storing it: listing tenants needs no scope.
      const client = new ApiClient({ apiUrl, credential: { kind: 'key', secret: key, source: '--key' }, tenant: null })
      const { items } = await client.get<{ items: Tenant[] }>('/v1/tenants')
      credential = { kind: 'key', key }
      who = `API key ${key.split('_').slice(0, 2).join('_')}… of tenant ${items[0]?.slug ?? '?'}`
    }
    const path = configPath(io.env)
    writeConfig({ apiUrl, credential }, path)
    if (wantsJson(flags)) printJson(io, { apiUrl, kind: credential.kind, configPath: path })
    else io.stdout.write(`Logged in to ${apiUrl} as ${who}.\nSaved to ${path}\n`)
  },
}

export const logout: Command = {
  name: 'logout',
  summary: 'Forget the stored login',
  args: '',
  flags: {},
  positionals: [0, 0],
  async run({ io, flags }) {
    const path = configPath(io.env)
    const previous = readConfigQuietly(path)
    const removed = removeConfig(path)
    if (wantsJson(flags)) printJson(io, { loggedOut: removed, apiUrl: previous?.apiUrl ?? null })
    else io.stdout.write(removed ? `Logged out of ${previous?.apiUrl ?? 'the platform'}.\n` : 'Not logged in.\n')
  },
}

function readConfigQuietly(path: string) {
  try {
    return readConfig(path)
  } catch (error) {
    if (error instanceof CliError) return null
    throw error
  }
}
