// Builds the API client for a command from its flags, the environment and the login.

import type { Invocation } from './command.ts'
import { ApiClient } from './api-client.ts'
import { configPath, readConfig } from './config-store.ts'
import { requestedTenant, requireCredential, resolveApiUrl, resolveCredential } from './settings.ts'

export function clientFor(invocation: Invocation): ApiClient {
  const { flags, io } = invocation
  const config = readConfig(configPath(io.env))
  const apiUrl = resolveApiUrl(flags, io, config)
  const credential = requireCredential(resolveCredential(flags, io, apiUrl, config), apiUrl)
  return new ApiClient({ apiUrl, credential, tenant: requestedTenant(flags, io, apiUrl, config) })
}
