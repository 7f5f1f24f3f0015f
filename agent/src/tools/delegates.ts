// The delegate tools: one `delegate_<slug>` per agent of the same tenant this agent may consult (RuntimeConfig
// .delegates). A call goes through the platform, never straight to the other runtime: the cluster-api's
// INTERNAL_PATHS.runtimeDelegate, signed with this agent's own key, which checks the delegation, wakes the delegate
// and returns its reply. This runtime holds no key of the delegate and no address of it.
import type { Tool, ToolSet } from 'ai'
import { z } from 'zod'
import { INTERNAL_PATHS, type DelegateReply, type DelegateRequest } from '../../../wire/internal-api.ts'
import { AGENT_ID, TENANT_HOST, TENANT_ID } from '../../../wire/headers.ts'
import { nodeBodyDigest, nodeHmac } from '../../../wire/node-hmac.ts'
import type { DelegateConfig, RuntimeConfig } from '../../../wire/runtime.ts'
import { signHeaders } from '../../../wire/signature.ts'

/** A little more than the cluster-api's own bound on a delegate's turn, so its answer (or timeout) arrives first. */
const DELEGATE_CALL_TIMEOUT_MS = 130_000

const inputSchema = z.object({
  message: z.string().min(1).max(32_000).describe('what to ask or tell the other superfriend, in full: it knows nothing of this conversation'),
})

/** `delegate_` and the slug with its hyphens as underscores: tool names of every provider allow [a-zA-Z0-9_]. */
export function delegateToolName(slug: string): string {
  return `delegate_${slug.replace(/[^a-z0-9_]/g, '_')}`
}

export interface DelegateToolsContext {
  config: Pick<RuntimeConfig, 'agentId' | 'slug' | 'tenantId' | 'signingKey' | 'delegates'>
  platformUrl: string | null
  signal?: AbortSignal
}

async function ask(ctx: DelegateToolsContext, delegate: DelegateConfig, message: string): Promise<DelegateReply> {
  const { config } = ctx
  const url = new URL(INTERNAL_PATHS.runtimeDelegate(config.agentId), ctx.platformUrl!)
  const request: DelegateRequest = { delegate: delegate.slug, message }
  const body = new TextEncoder().encode(JSON.stringify(request))
  const headers = new Headers({ 'content-type': 'application/json', [TENANT_HOST]: config.slug, [TENANT_ID]: config.tenantId, [AGENT_ID]: config.agentId })
  await signHeaders(headers, { method: 'POST', host: url.host, path: url.pathname, body: { kind: 'digest', digest: nodeBodyDigest(body) } }, nodeHmac(config.signingKey))
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, AbortSignal.timeout(DELEGATE_CALL_TIMEOUT_MS)]) : AbortSignal.timeout(DELEGATE_CALL_TIMEOUT_MS)
  const res = await fetch(url, { method: 'POST', headers, body, signal })
  const text = await res.text()
  if (!res.ok) {
    let reason = `${res.status}`
    try {
      const problem = JSON.parse(text) as { code?: string; detail?: string; title?: string }
      reason = `${problem.code ?? res.status}: ${problem.detail ?? problem.title ?? ''}`
    } catch { /* not problem+json: the status says enough */ }
    throw new Error(`${delegate.slug} could not be consulted (${reason})`)
  }
  return JSON.parse(text) as DelegateReply
}

/** The delegate tools of this turn; none without a platform to call through. */
export function delegateTools(ctx: DelegateToolsContext): ToolSet {
  const tools: ToolSet = {}
  if (!ctx.platformUrl) return tools
  for (const delegate of ctx.config.delegates ?? []) {
    const tool: Tool<z.infer<typeof inputSchema>> = {
      description: `Ask the superfriend ${delegate.name ?? delegate.slug} (${delegate.slug})${delegate.description ? `: ${delegate.description}` : ''}. Returns its reply.`,
      inputSchema,
      async execute({ message }: z.infer<typeof inputSchema>) {
        const answer = await ask(ctx, delegate, message)
        return { delegate: answer.delegate, reply: answer.reply }
      },
    }
    tools[delegateToolName(delegate.slug)] = tool
  }
  return tools
}
