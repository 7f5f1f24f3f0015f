// Names and labels of everything the kubernetes driver writes. Labels are how the reconcile loop finds
// its own objects (and orphans); names are derived from slugs, which are DNS labels of at most 40 characters.

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
export const MANAGED_BY = 'myintell'
export const COMPONENT_LABEL = 'app.kubernetes.io/component'
export const TENANT_ID_LABEL = 'myintell.ai/tenant-id'
export const TENANT_SLUG_LABEL = 'myintell.ai/tenant-slug'
export const AGENT_ID_LABEL = 'myintell.ai/agent-id'
export const AGENT_SLUG_LABEL = 'myintell.ai/agent-slug'
/** Pod template annotation: a hash of the agent's config, so a persona change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'myintell.ai/config-hash'

export const TENANT_SECRET_NAME = 'tenant-credentials'
export const TENANT_QUOTA_NAME = 'tenant-quota'
export const TENANT_LIMITS_NAME = 'tenant-limits'
export const TENANT_NETWORK_POLICY_NAME = 'ingress-controller-only'

export function tenantNamespace(tenantSlug: string): string {
  return `t-${tenantSlug}`
}

/** Deployment, Service, IngressRoute, ScaledObject and the agent's Secret share this name. */
export function agentObjectName(agentSlug: string): string {
  return `agent-${agentSlug}`
}

export function workspaceClaimName(agentSlug: string): string {
  return `workspace-${agentSlug}`
}

export interface TenantIdentity {
  tenantId: string
  tenantSlug: string
}

export interface AgentIdentity extends TenantIdentity {
  agentId: string
  slug: string
}

export function tenantLabels(tenant: TenantIdentity): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [TENANT_ID_LABEL]: tenant.tenantId, [TENANT_SLUG_LABEL]: tenant.tenantSlug }
}

export function agentLabels(agent: AgentIdentity): Record<string, string> {
  return { ...tenantLabels(agent), [COMPONENT_LABEL]: 'agent', [AGENT_ID_LABEL]: agent.agentId, [AGENT_SLUG_LABEL]: agent.slug }
}

/** The Deployment's selector: immutable after creation, so only labels that never change for an agent. */
export function agentSelector(agent: AgentIdentity): Record<string, string> {
  return { [COMPONENT_LABEL]: 'agent', [AGENT_ID_LABEL]: agent.agentId }
}
