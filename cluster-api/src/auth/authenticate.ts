// Middleware: turns `Authorization: Bearer <JWT | mi_… API key>` into a principal. A missing header
// leaves the principal null (public routes); a present but invalid credential is a 401 at once.

import type { MiddlewareHandler } from 'hono'
import type { Db } from '../db/types.ts'
import { verifyApiKey } from '../db/queries/api-keys.ts'
import { upsertUser } from '../db/queries/users.ts'
import { unauthorized } from '../http/problems.ts'
import type { AuthEnv } from './principal.ts'
import type { TokenVerifier } from './token-verifier.ts'

/** Users already written to the users table by this process; bounded so it cannot grow without limit. */
const KNOWN_USERS_MAX = 10_000

export interface AuthenticateOptions {
  db: Db
  verifyToken: TokenVerifier
}

export const authenticate = (options: AuthenticateOptions): MiddlewareHandler<AuthEnv> => {
  const knownUsers = new Set<string>()
  return async function authenticate(c, next) {
    const header = c.req.header('authorization')
    if (!header) {
      c.set('principal', null)
      return next()
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match) throw unauthorized('expected "Authorization: Bearer <token>"')
    const credential = match[1]!
    if (credential.startsWith('mi_')) {
      const key = await verifyApiKey(options.db, credential)
      if (!key) throw unauthorized('API key is unknown or revoked')
      c.set('principal', { kind: 'key', keyId: key.id, tenantId: key.tenantId, scopes: key.scopes })
      return next()
    }
    const token = await options.verifyToken(credential)
    if (!token) throw unauthorized('token is invalid, expired or not issued for this platform')
    // The Clerk webhook may not have arrived yet: a verified subject is a user from its first request on.
    if (!knownUsers.has(token.sub)) {
      await upsertUser(options.db, token.sub, token.email)
      if (knownUsers.size >= KNOWN_USERS_MAX) knownUsers.clear()
      knownUsers.add(token.sub)
    }
    c.set('principal', { kind: 'user', userId: token.sub, email: token.email })
    return next()
  }
}
