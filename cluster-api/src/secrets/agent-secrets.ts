// The one place agent secrets are sealed and opened: the /v1 routes store through it, RuntimeConfig reads through it,
// and at start-up it moves every row sealed by a retired key to the current one (the rotation, see README).

import type { Logger } from 'pino'
import {
  deleteAgentSecret, listAgentSecretNames, listAgentSecretsNotUnder, listSealedAgentSecrets, putAgentSecret, resealAgentSecret,
} from '../db/queries/agent-secrets.ts'
import type { Db } from '../db/types.ts'
import { SecretKeyRing } from './key-ring.ts'
import type { SecretsKeys } from './secrets-key.ts'

export interface RotationReport {
  /** Rows re-sealed under the current key. */
  moved: number
  /** Rows whose key this platform does not hold: left as they are, and missing from their agents' configs. */
  unreadable: number
}

export class AgentSecrets {
  readonly #db: Db
  readonly #ring: SecretKeyRing
  readonly #logger: Logger

  constructor(db: Db, keys: SecretsKeys, logger: Logger) {
    this.#db = db
    this.#ring = new SecretKeyRing(keys.current, keys.previous)
    this.#logger = logger
  }

  put(agentId: string, name: string, value: string): Promise<{ created: boolean; createdAt: Date; updatedAt: Date }> {
    return putAgentSecret(this.#db, agentId, name, this.#ring.seal(agentId, name, value))
  }

  list(agentId: string): Promise<Array<{ name: string; createdAt: Date; updatedAt: Date }>> {
    return listAgentSecretNames(this.#db, agentId)
  }

  async names(agentId: string): Promise<Set<string>> {
    return new Set((await this.list(agentId)).map((secret) => secret.name))
  }

  delete(agentId: string, name: string): Promise<boolean> {
    return deleteAgentSecret(this.#db, agentId, name)
  }

  /**
   * The agent's secrets in plaintext, for its RuntimeConfig only. A row this platform cannot open (its key was not
   * kept through a rotation, or the row was altered) is left out with a warning naming it, never its content.
   */
  async open(agentId: string): Promise<Record<string, string>> {
    const opened: Record<string, string> = {}
    for (const row of await listSealedAgentSecrets(this.#db, agentId)) {
      try {
        opened[row.name] = this.#ring.open(agentId, row.name, row)
      } catch (error) {
        this.#logger.warn({ agentId, secret: row.name, keyId: row.keyId, reason: (error as Error).message }, 'agent secret cannot be opened; left out of its runtime config')
      }
    }
    return opened
  }

  /** Re-seals every row not under the current key (after MYINTELL_SECRETS_KEY changed, with the old one as _PREVIOUS). */
  async rotate(): Promise<RotationReport> {
    const report: RotationReport = { moved: 0, unreadable: 0 }
    for (const row of await listAgentSecretsNotUnder(this.#db, this.#ring.currentKeyId)) {
      if (!this.#ring.canOpen(row.keyId)) {
        report.unreadable++
        continue
      }
      let value: string
      try {
        value = this.#ring.open(row.agentId, row.name, row)
      } catch {
        report.unreadable++
        continue
      }
      if (await resealAgentSecret(this.#db, row, this.#ring.seal(row.agentId, row.name, value))) report.moved++
    }
    if (report.moved > 0 || report.unreadable > 0) this.#logger.info({ ...report, keyId: this.#ring.currentKeyId }, 'agent secrets re-encrypted under the current key')
    if (report.unreadable > 0) this.#logger.warn({ unreadable: report.unreadable }, 'agent secrets sealed by a key this platform does not hold (set MYINTELL_SECRETS_KEY_PREVIOUS to it)')
    return report
  }
}
