// Builds RuntimeConfig values for tests: one agent on the local provider with a fresh tenant database.
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import { TEST_SECRET } from './runtime-process.ts'

export function agentConfig(tenantDatabaseUrl: string, overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  const id = crypto.randomUUID().slice(0, 8)
  return {
    agentId: `agent-${id}`,
    slug: `ada-${id}`,
    tenantId: 'tenant-1',
    tenantSlug: 'acme',
    name: 'Ada',
    persona: { systemPrompt: 'You are Ada, a patient friend.', style: 'warm and brief' },
    model: { provider: 'local', model: 'local-dev' },
    visibility: 'private',
    tenantDatabaseUrl,
    signingKey: TEST_SECRET,
    secrets: {},
    ...overrides,
  }
}
