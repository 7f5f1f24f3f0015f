// The contract between the cluster-api (its workload drivers) and the agent runtime process or pod.

import type { McpServerConfig } from './agent-tools.ts'

/** Everything a runtime needs to serve one agent. Contains secrets: never log it whole. */
export interface RuntimeConfig {
  agentId: string
  slug: string
  tenantId: string
  tenantSlug: string
  name: string
  persona: { systemPrompt: string; style: string }
  model: { provider: string; model: string; temperature?: number; maxOutputTokens?: number }
  visibility: 'private' | 'public'
  /** Connection URL of the tenant's own database (conversations, memory). Secret. */
  tenantDatabaseUrl: string
  /**
   * The agent's own signing key (wire/node-hmac.ts agentSecret): verifies the edge's requests to this agent and
   * signs the runtime's usage reports. Never the platform's master secret. Secret.
   */
  signingKey: string
  /**
   * The agent's secrets by name, the platform's defaults first and the agent's own over them: model keys and base
   * URLs (ANTHROPIC_API_KEY, OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GOOGLE_API_KEY, …), the values of
   * MCP headers, channel tokens. Secret.
   */
  secrets: Record<string, string>
  /** Built-in tools this agent may use (wire/agent-tools.ts). Absent: none (a config from before tools). */
  tools?: string[]
  /** MCP servers whose tools this agent may use; their header values come from `secrets`. Absent: none. */
  mcpServers?: McpServerConfig[]
  /**
   * Other agents of the same tenant this agent may consult, each as a tool `delegate_<slug>` (agent/src/tools/
   * delegates.ts) whose calls go through the cluster-api (INTERNAL_PATHS.runtimeDelegate). Absent: none.
   */
  delegates?: DelegateConfig[]
  /** IANA time zone the agent lives in (the `clock` tool answers in it). Absent: UTC. */
  timezone?: string
  /**
   * The agent's own workspace directory (the `workspace` tool): locally `<dataDir>/workspaces/<agent id>` (made 0700
   * by the platform), in Kubernetes `/workspace` (its PVC). Here rather than in the environment because a warm-pool
   * runtime learns which agent it serves only at assignment. Absent: the runtime's MYINTELL_WORKSPACE_DIR, if any.
   */
  workspaceDir?: string
}

/** One delegate as its caller's runtime sees it: enough to name and describe the tool, nothing of its secrets. */
export interface DelegateConfig {
  slug: string
  name?: string
  description?: string
}

/** Environment variables the runtime reads at start-up. */
export const RUNTIME_ENV = {
  /** Port to listen on; 0 picks a free one (announced on stdout as a JSON line `{"event":"listening","port":n}`). */
  port: 'PORT',
  /** Interface to bind; default 127.0.0.1 locally, 0.0.0.0 in a pod. */
  host: 'HOST',
  /** A whole RuntimeConfig as JSON. Absent: the process is a warm-pool runtime waiting for an assignment. */
  config: 'MYINTELL_AGENT_CONFIG',
  /** Bearer token the cluster-api presents on POST /_myintell/assign and PUT /_myintell/config. */
  controlToken: 'MYINTELL_CONTROL_TOKEN',
  /** Base URL of the cluster-api; the runtime reports token usage to its signed internal ingest. */
  platformUrl: 'MYINTELL_PLATFORM_URL',
  /** How long SIGTERM waits for in-flight streams before exiting (ms, default 30000; 0 = do not wait). */
  drainTimeoutMs: 'MYINTELL_DRAIN_TIMEOUT_MS',
} as const

/**
 * Node flags to start a runtime with (`spawn(process.execPath, [...RUNTIME_NODE_FLAGS, 'agent/dist/runtime.mjs'])`, or
 * the pod's command). They cap the young generation and favour size over peak speed: on the bundle an idle runtime keeps
 * ~1.5 MB less resident memory, one after a few dozen turns ~4 MB less (measured by bench/agent.ts). V8 reads them at
 * start-up only, so the runtime cannot set them itself.
 */
export const RUNTIME_NODE_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size'] as const

/** Control endpoints of the runtime, called by the cluster-api only (bearer control token, not edge-signed). */
export const RUNTIME_PATHS = {
  healthz: '/healthz',
  readyz: '/readyz',
  /** POST RuntimeConfig: turns a warm-pool runtime into this agent. 409 if already assigned to another agent. */
  assign: '/_myintell/assign',
  /** PUT RuntimeConfig: new persona/model settings for the agent already assigned; applies on the next turn. */
  config: '/_myintell/config',
} as const
