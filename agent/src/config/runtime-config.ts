// Validation of the RuntimeConfig (wire/runtime.ts) that arrives by env or by the assignment call.
// Also the one place that knows which fields are secret, so logs can never print them.
import { z } from 'zod'
import type { RuntimeConfig } from '../../../wire/runtime.ts'

export const runtimeConfigSchema = z.object({
  agentId: z.string().min(1),
  slug: z.string().min(1),
  tenantId: z.string().min(1),
  tenantSlug: z.string().min(1),
  name: z.string().min(1),
  persona: z.object({ systemPrompt: z.string(), style: z.string() }),
  model: z.object({
    provider: z.string().min(1),
    model: z.string().min(1),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.number().int().positive().optional(),
  }),
  visibility: z.enum(['private', 'public']),
  tenantDatabaseUrl: z.string().min(1),
  // The agent's own key (64 hex characters): never the platform's master secret.
  signingKey: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  secrets: z.record(z.string(), z.string()),
  // Names the runtime does not know are dropped at turn time (tools/index.ts), not refused here: a config written
  // by a newer cluster-api must still start an older runtime.
  tools: z.array(z.string()).optional(),
  mcpServers: z.array(z.object({
    name: z.string().min(1), url: z.string().min(1), headers: z.record(z.string(), z.string()).optional(),
  })).optional(),
  delegates: z.array(z.object({ slug: z.string().min(1), name: z.string().optional(), description: z.string().optional() })).optional(),
  timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').optional(),
  workspaceDir: z.string().min(1).optional(),
})

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name })
    return true
  } catch {
    return false
  }
}

export function parseRuntimeConfig(input: unknown): { ok: true; config: RuntimeConfig } | { ok: false; issues: string[] } {
  const result = runtimeConfigSchema.safeParse(input)
  if (result.success) return { ok: true, config: result.data }
  return { ok: false, issues: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) }
}

/** What may be logged about a config: identity only, never the database URL or secrets. */
export function describeConfig(config: RuntimeConfig): Record<string, string> {
  return { agentId: config.agentId, slug: config.slug, tenantId: config.tenantId, provider: config.model.provider, model: config.model.model }
}
