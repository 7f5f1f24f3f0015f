// The keys agent secrets are sealed with: AES-256-GCM, a random 96-bit nonce per value, the agent id and the secret's
// name as additional data (a row copied to another agent or name fails to open). Each row names its key by an id, so a
// key can be replaced: the new key seals, the previous one still opens what it sealed until the start-up re-encryption
// (agent-secrets.ts) has moved every row to the new key.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

const ALGORITHM = 'aes-256-gcm'
/** 96 bits: GCM's native nonce size; random per value, so a key seals ~2^32 values before a collision matters. */
const NONCE_BYTES = 12
const TAG_BYTES = 16
export const SECRETS_KEY_BYTES = 32

export interface SealedSecret {
  /** Which key sealed it (keyIdOf). */
  keyId: string
  /** base64 */
  nonce: string
  /** base64 of the ciphertext followed by the 16-byte GCM tag. */
  ciphertext: string
}

/** A key's id: the start of its SHA-256, enough to tell keys apart and useless for recovering one. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

function additionalData(agentId: string, name: string): Buffer {
  return Buffer.from(`myintell-agent-secret\0${agentId}\0${name}`, 'utf8')
}

/** Reads a base64 key of exactly 32 bytes; the message completes "VARIABLE: …" and never echoes the value. */
export function parseSecretsKey(raw: string): Buffer {
  const text = raw.trim()
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error('must be base64 (openssl rand -base64 32)')
  const key = Buffer.from(text, 'base64')
  if (key.length !== SECRETS_KEY_BYTES) throw new Error(`must be ${SECRETS_KEY_BYTES} bytes in base64 (openssl rand -base64 32), got ${key.length}`)
  return key
}

export class SecretKeyRing {
  readonly #current: { id: string; key: Buffer }
  readonly #byId = new Map<string, Buffer>()

  /** `current` seals every new value; `previous` (after a rotation) only opens what it sealed. */
  constructor(current: Buffer, previous?: Buffer) {
    if (current.length !== SECRETS_KEY_BYTES) throw new Error(`secrets key must be ${SECRETS_KEY_BYTES} bytes`)
    this.#current = { id: keyIdOf(current), key: current }
    this.#byId.set(this.#current.id, current)
    if (previous) {
      if (previous.length !== SECRETS_KEY_BYTES) throw new Error(`previous secrets key must be ${SECRETS_KEY_BYTES} bytes`)
      this.#byId.set(keyIdOf(previous), previous)
    }
  }

  get currentKeyId(): string {
    return this.#current.id
  }

  /** Whether this ring holds the key a row names. */
  canOpen(keyId: string): boolean {
    return this.#byId.has(keyId)
  }

  seal(agentId: string, name: string, value: string): SealedSecret {
    const nonce = randomBytes(NONCE_BYTES)
    const cipher = createCipheriv(ALGORITHM, this.#current.key, nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(additionalData(agentId, name))
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()])
    return { keyId: this.#current.id, nonce: nonce.toString('base64'), ciphertext: body.toString('base64') }
  }

  /** Throws when the key is unknown or the row was altered (or moved to another agent or name). */
  open(agentId: string, name: string, sealed: SealedSecret): string {
    const key = this.#byId.get(sealed.keyId)
    if (!key) throw new Error(`agent secret ${name} is sealed with key ${sealed.keyId}, which this platform does not hold`)
    const body = Buffer.from(sealed.ciphertext, 'base64')
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(sealed.nonce, 'base64'), { authTagLength: TAG_BYTES })
    decipher.setAAD(additionalData(agentId, name))
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8')
  }
}
