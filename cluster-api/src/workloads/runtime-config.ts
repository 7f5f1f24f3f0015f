// Builds the RuntimeConfig a driver needs to run one agent, from the platform DB and the tenant's
// own database (provisioned lazily, the first time one of the tenant's agents needs it).

import { agentSecret } from '../../../wire/node-hmac.ts'
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import type { Agent, Tenant } from '../db/schema/index.ts'
import type { TenantDatabaseProvisioner } from '../tenant-db/types.ts'
import { ProblemError } from '../../../wire/problem.ts'

/**
 * Remembers provisioned tenant database URLs in memory only: the URL carries a password, so it is not
 * stored in the platform DB; after a restart the (idempotent) provisioner is asked once again.
 */
export class TenantDatabaseCache {
  readonly #provisioner: TenantDatabaseProvisioner | null
  readonly #urls = new Map<string, Promise<string>>()

  constructor(provisioner: TenantDatabaseProvisioner | null) {
    this.#provisioner = provisioner
  }

  urlFor(tenant: { id: string; slug: string }): Promise<string> {
    const provisioner = this.#provisioner
    if (!provisioner) {
      return Promise.reject(new ProblemError({
        status: 503, code: 'tenant-db-unavailable', title: 'No tenant database provisioner is configured',
        headers: { 'retry-after': '30' },
      }))
    }
    let url = this.#urls.get(tenant.id)
    if (!url) {
      url = provisioner.provision({ id: tenant.id, slug: tenant.slug })
      // A failed provisioning is retried on the next wake rather than remembered.
      url.catch(() => this.#urls.delete(tenant.id))
      this.#urls.set(tenant.id, url)
    }
    return url
  }

  forget(tenantId: string): void {
    this.#urls.delete(tenantId)
  }
}

/** `masterSecret` is the platform's EDGE_SIGNING_SECRET; the runtime receives only the key derived from it for this agent. */
export function buildRuntimeConfig(agent: Agent, tenant: Tenant, tenantDatabaseUrl: string, secrets: Record<string, string>, masterSecret: string): RuntimeConfig {
  return {
    agentId: agent.id,
    slug: agent.slug,
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    name: agent.name,
    persona: { systemPrompt: agent.persona.systemPrompt, style: agent.persona.style },
    model: { ...agent.model },
    visibility: agent.visibility,
    tenantDatabaseUrl,
    signingKey: agentSecret(masterSecret, agent.id),
    secrets: { ...secrets },
  }
}
