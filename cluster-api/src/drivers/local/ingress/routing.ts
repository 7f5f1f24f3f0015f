// What the local ingress asks its host (the local driver) for each request: where does this tenant host go?
// Kept apart from the proxy so the ingress can front any table of agents, like Traefik fronts IngressRoutes.

export type IngressTarget =
  /** The agent exists and has a ready process on this loopback port. */
  | { kind: 'ready'; agentId: string; port: number }
  /** The agent exists but nothing serves it right now: 503 + NO_ENDPOINTS, the edge goes through the gate. */
  | { kind: 'no-endpoints'; agentId: string }
  /** No agent this ingress knows has this slug: the same marked 503 (the edge, not the ingress, knows which agents exist). */
  | { kind: 'unknown' }

export interface IngressRouter {
  /** `tenantHost` is the verified X-Tenant-Host value (the agent's slug). */
  route(tenantHost: string): IngressTarget
  /** Called when a request or WebSocket to `agentId` starts; the returned function is called once when it ends. */
  beginStream(agentId: string): () => void
}
