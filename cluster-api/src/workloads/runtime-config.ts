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

export interface RuntimeConfigSources {
  /** Connection URL of the tenant's database (TenantDatabaseCache). */
  tenantDatabaseUrl: string
  /** The platform's defaults for every runtime: provider keys and base URLs (config.ts RUNTIME_SECRET_NAMES). */
  platformSecrets: Record<string, string>
  /** This agent's own secrets, opened (secrets/agent-secrets.ts): they override the platform's of the same name. */
  agentSecrets: Record<string, string>
  /** The platform's EDGE_SIGNING_SECRET; the runtime receives only the key derived from it for this agent. */
  masterSecret: string
  /** The agent's delegates with their names (delegation/delegates-config.ts delegatesOf). */
  delegates?: { slug: string; name: string }[]
  /** The agent's workspace directory, when the driver keeps one on this machine. */
  workspaceDir?: string | undefined
}

/**
 * Everything of one agent and nothing of any other: its secrets are read by its own id, its MCP servers and tools are
 * its own row's, so one tenant's values cannot reach another tenant's runtime through this function.
 */
export function buildRuntimeConfig(agent: Agent, tenant: Tenant, sources: RuntimeConfigSources): RuntimeConfig {
  if (agent.tenantId !== tenant.id) throw new Error(`agent ${agent.id} does not belong to tenant ${tenant.id}`)
  return {
    agentId: agent.id,
    slug: agent.slug,
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    name: agent.name,
    persona: { systemPrompt: agent.persona.systemPrompt, style: agent.persona.style },
    model: { ...agent.model },
    visibility: agent.visibility,
    tenantDatabaseUrl: sources.tenantDatabaseUrl,
    signingKey: agentSecret(sources.masterSecret, agent.id),
    secrets: { ...sources.platformSecrets, ...sources.agentSecrets },
    tools: [...agent.tools],
    mcpServers: agent.mcpServers.map((server) => ({ ...server, ...(server.headers ? { headers: { ...server.headers } } : {}) })),
    delegates: (sources.delegates ?? []).map((d) => ({ slug: d.slug, name: d.name })),
    ...(sources.workspaceDir ? { workspaceDir: sources.workspaceDir } : {}),
  }
}
