// A Clerk double for session tokens: serves a JWKS (RS256, like Clerk) at /.well-known/jwks.json and
// mints Clerk-shaped session tokens (sub, sid, azp, iss = its own URL, short expiry) with its private key.

import { createServer, type Server } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'

export interface FakeClerk {
  /** The issuer (`iss`), like `https://<instance>.clerk.accounts.dev`. */
  issuer: string
  jwksUrl: string
  /** JWKS fetches served, to check the verifier really went to this JWKS. */
  jwksRequests: number
  sessionToken(userId: string, overrides?: { expiresInSeconds?: number; issuer?: string; azp?: string }): Promise<string>
  close(): Promise<void>
}

export async function startFakeClerk(): Promise<FakeClerk> {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const kid = 'ins_fake_clerk_key'
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }
  const state = { jwksRequests: 0 }
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      state.jwksRequests++
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ keys: [jwk] }))
      return
    }
    response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    get jwksRequests() {
      return state.jwksRequests
    },
    sessionToken: (userId, o = {}) => {
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT({ sid: `sess_${userId}`, azp: o.azp ?? 'http://localhost:3000' })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setSubject(userId).setIssuer(o.issuer ?? issuer)
        .setIssuedAt(now - 5).setNotBefore(now - 10).setExpirationTime(now + (o.expiresInSeconds ?? 60))
        .sign(privateKey)
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
