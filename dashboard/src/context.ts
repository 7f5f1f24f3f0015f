// What every signed-in page needs: fresh credentials for the current tenant, the superfriends, and the hosts.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { Credentials } from './api/http.ts'
import type { Agent, Tenant } from './api/platform.ts'
import type { Session } from './auth/auth.ts'

export interface Workspace {
  session: Session
  tenant: Tenant
  /** Credentials with a fresh token (Clerk's last a minute) and the tenant header. */
  credentials(): Promise<Credentials>
  agents: Agent[] | null
  agentsError: string | null
  reloadAgents(): Promise<void>
  /** Puts a changed or new agent into the list at once, before the next reload. */
  rememberAgent(agent: Agent): void
  forgetAgent(id: string): void
}

export const WorkspaceContext = createContext<Workspace | null>(null)

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext)
  if (!workspace) throw new Error('useWorkspace outside a signed-in page')
  return workspace
}
