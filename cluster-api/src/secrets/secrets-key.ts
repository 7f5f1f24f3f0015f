// Where the secrets key comes from: MYINTELL_SECRETS_KEY (base64, 32 bytes) when set; locally, when unset, a random
// key generated once into the data directory (mode 0600), like the local signing secret; in production unset is
// refused (config.ts), since a key made up per machine would leave every stored secret unreadable elsewhere.

import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseSecretsKey, SECRETS_KEY_BYTES } from './key-ring.ts'

/** `<dataDir>/secrets-key`: the local key, base64. */
export const LOCAL_SECRETS_KEY_FILE = 'secrets-key'

export interface SecretsKeys {
  /** Seals every new value and every value re-encrypted at start-up. */
  current: Buffer
  /** The key before a rotation: opens what it sealed until the start-up re-encryption has moved it. */
  previous?: Buffer | undefined
}

export function localSecretsKey(dataDir: string): Buffer {
  const file = join(dataDir, LOCAL_SECRETS_KEY_FILE)
  if (existsSync(file)) return parseSecretsKey(readFileSync(file, 'utf8'))
  mkdirSync(dataDir, { recursive: true })
  const key = randomBytes(SECRETS_KEY_BYTES)
  // wx: two processes starting at once must not each write their own key.
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parseSecretsKey(readFileSync(file, 'utf8'))
    throw error
  }
  chmodSync(file, 0o600)
  return key
}
