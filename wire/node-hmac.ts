// The edge signature's HMAC-SHA256 and body digest computed synchronously with node:crypto, and the keys derived
// from the platform's master secret. Node servers and the edge Worker (workerd, under nodejs_compat) use it.
// Kept apart from wire/signature.ts, which stays WebCrypto-only (agent-kit runs it anywhere).

import { createHash, createHmac } from 'node:crypto'
import type { SigningKey } from './signature.ts'

/**
 * The same bytes as wire/signature.ts's WebCrypto path, as lowercase hex (checked in Node by
 * cluster-api/src/internal/edge-signature.test.ts and in workerd by edge/src/node-hmac.test.ts). WebCrypto's sign
 * is a promise per request (in Node a round trip through libuv's thread pool); this is a plain call.
 */
export function nodeHmac(secret: string): SigningKey {
  return (data) => createHmac('sha256', secret).update(data).digest('hex')
}

/** `sha256=<base64url>` of `body`: the same text as wire/signature.ts's bodyDigest. */
export function nodeBodyDigest(body: Uint8Array): string {
  return `sha256=${createHash('sha256').update(body).digest('base64url')}`
}

const DERIVATION = 'myintell/signing/v2'

function derive(master: string, purpose: string): string {
  return createHmac('sha256', master).update(`${DERIVATION}\n${purpose}`).digest('hex')
}

/**
 * The edge's own key: signs the edge's calls to the cluster-api's internal API, which accepts no other key. Only
 * the edge and the cluster-api hold the master secret it comes from.
 */
export function edgeSecret(master: string): string {
  return derive(master, 'edge')
}

/**
 * The key of the edge's anonymous-session cookies (edge/src/auth/anon-session.ts): binds each session id to the
 * agent it was issued for. Only the edge uses it; it signs nothing else, so a cookie never passes for a request
 * signature or the reverse.
 */
export function anonSessionSecret(master: string): string {
  return derive(master, 'anon-session')
}

/**
 * One agent's key (64 hex characters): the edge signs that agent's traffic with it, and it is all the agent's
 * runtime holds. Knowing one agent's key tells nothing about another's or the edge's (HMAC is a PRF).
 */
export function agentSecret(master: string, agentId: string): string {
  if (!agentId) throw new Error('agentSecret requires an agent id')
  return derive(master, `agent:${agentId}`)
}

/** Signing keys of many agents, each derived once: for the edge's signer and the local ingress's verifier. */
export class AgentKeys {
  readonly #master: string
  readonly #keys = new Map<string, SigningKey>()
  readonly #max: number

  constructor(master: string, max = 10_000) {
    this.#master = master
    this.#max = max
  }

  /** The node:crypto HMAC under the agent's key. */
  for(agentId: string): SigningKey {
    let key = this.#keys.get(agentId)
    if (!key) {
      key = nodeHmac(agentSecret(this.#master, agentId))
      if (this.#keys.size >= this.#max) this.#keys.delete(this.#keys.keys().next().value!)
      this.#keys.set(agentId, key)
    }
    return key
  }
}
