// The dashboard's top level: restores the session, finds the user's tenant (offering to create one), keeps the
// list of superfriends fresh, and picks the page from the hash route.

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiProblem, SESSION_ENDED_EVENT, type Credentials } from './api/http.ts'
import { listAgents, listTenants, type Agent, type Tenant } from './api/platform.ts'
import { createAuth, type Session } from './auth/auth.ts'
import { WorkspaceContext, type Workspace } from './context.ts'
import { useRoute } from './router.ts'
import { AgentFormPage } from './views/agent-form.tsx'
import { AgentsPage } from './views/agents-page.tsx'
import { ChatPage } from './views/chat-page.tsx'
import { CreateTenant } from './views/create-tenant.tsx'
import { KeysPage } from './views/keys-page.tsx'
import { MemoriesPage } from './views/memories-page.tsx'
import { SchedulesPage } from './views/schedules-page.tsx'
import { RunPage, RunsPage } from './views/runs-page.tsx'
import { SecretsPage } from './views/secrets-page.tsx'
import { Shell } from './views/shell.tsx'
import { SignedOut } from './views/signed-out.tsx'
import { UsagePage } from './views/usage-page.tsx'

const auth = createAuth()
/** How often the superfriends' states (asleep / waking / awake) are refreshed while the page is visible. */
const AGENT_POLL_MS = 5_000
const TENANT_KEY = 'myintell.tenant'

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  useEffect(() => {
    auth.restore().then(setSession, () => setSession(null))
  }, [])

  useEffect(() => {
    // An expired or revoked session: back to the signed-out page instead of errors on every page.
    const ended = () => { void auth.signOut().then(() => setSession(null)) }
    window.addEventListener(SESSION_ENDED_EVENT, ended)
    return () => window.removeEventListener(SESSION_ENDED_EVENT, ended)
  }, [])

  if (session === undefined) return <p class="loading" role="status">Loading…</p>
  if (!session) return <SignedOut auth={auth} onSignedIn={setSession} />
  return <SignedIn session={session} onSignOut={async () => { await auth.signOut(); setSession(null) }} />
}

function SignedIn(props: { session: Session; onSignOut: () => void }) {
  const [tenants, setTenants] = useState<Tenant[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const credentialsFor = useCallback(async (tenantId: string | null): Promise<Credentials> => {
    const token = (await auth.token()) ?? props.session.token
    return { token, tenantId }
  }, [props.session])

  const loadTenants = useCallback(async () => {
    try {
      setTenants(await listTenants(await credentialsFor(null)))
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 401) return props.onSignOut()
      setError(e instanceof Error ? e.message : String(e))
    }
  }, [credentialsFor])
  useEffect(() => { void loadTenants() }, [loadTenants])

  if (error) return <main class="centered"><p role="alert">Could not load your workspace: {error}</p></main>
  if (!tenants) return <p class="loading" role="status">Loading your workspace…</p>
  if (tenants.length === 0) {
    return <CreateTenant credentials={() => credentialsFor(null)} session={props.session} onCreated={(t) => setTenants([t])} />
  }
  const chosen = tenants.find((t) => t.id === localStorage.getItem(TENANT_KEY)) ?? tenants[0]!
  return <Workspace session={props.session} tenant={chosen} tenants={tenants} credentialsFor={credentialsFor} onSignOut={props.onSignOut} />
}

function Workspace(props: {
  session: Session; tenant: Tenant; tenants: Tenant[]; credentialsFor: (tenantId: string | null) => Promise<Credentials>; onSignOut: () => void
}) {
  const { tenant, credentialsFor } = props
  const [agents, setAgents] = useState<Agent[] | null>(null)
  const [agentsError, setAgentsError] = useState<string | null>(null)
  const credentials = useCallback(() => credentialsFor(tenant.id), [credentialsFor, tenant.id])

  const reloadAgents = useCallback(async () => {
    try {
      setAgents(await listAgents(await credentials()))
      setAgentsError(null)
    } catch (e) {
      setAgentsError(e instanceof Error ? e.message : String(e))
    }
  }, [credentials])

  useEffect(() => {
    void reloadAgents()
    const timer = setInterval(() => { if (document.visibilityState === 'visible') void reloadAgents() }, AGENT_POLL_MS)
    return () => clearInterval(timer)
  }, [reloadAgents])

  const workspace = useMemo<Workspace>(() => ({
    session: props.session, tenant, credentials, agents, agentsError, reloadAgents,
    rememberAgent: (agent) => setAgents((list) => {
      const rest = (list ?? []).filter((a) => a.id !== agent.id)
      return list?.some((a) => a.id === agent.id) ? (list ?? []).map((a) => (a.id === agent.id ? agent : a)) : [...rest, agent]
    }),
    forgetAgent: (id) => setAgents((list) => (list ?? []).filter((a) => a.id !== id)),
  }), [props.session, tenant, credentials, agents, agentsError, reloadAgents])

  const chooseTenant = (id: string) => {
    localStorage.setItem(TENANT_KEY, id)
    window.location.reload()
  }

  return (
    <WorkspaceContext.Provider value={workspace}>
      <Shell session={props.session} tenant={tenant} tenants={props.tenants} onChooseTenant={chooseTenant} onSignOut={props.onSignOut}>
        <Page />
      </Shell>
    </WorkspaceContext.Provider>
  )
}

function Page() {
  const route = useRoute()
  const firstPage = useRef(true)
  useEffect(() => {
    // After a navigation, move focus to the new page's heading so keyboard and screen-reader users land on it
    // (not on the first page: there the skip link comes first).
    if (firstPage.current) firstPage.current = false
    else document.querySelector<HTMLElement>('main h1')?.focus()
  }, [route.page, 'slug' in route ? route.slug : ''])
  switch (route.page) {
    case 'superfriends': return <AgentsPage />
    case 'new-superfriend': return <AgentFormPage slug={null} />
    case 'edit-superfriend': return <AgentFormPage slug={route.slug} />
    case 'chat': return <ChatPage slug={route.slug} conversationId={route.conversationId} />
    case 'memories': return <MemoriesPage slug={route.slug} />
    case 'secrets': return <SecretsPage slug={route.slug} />
    case 'schedules': return <SchedulesPage slug={route.slug} />
    case 'runs': return route.runId ? <RunPage slug={route.slug} runId={route.runId} /> : <RunsPage slug={route.slug} />
    case 'keys': return <KeysPage />
    case 'usage': return <UsagePage />
    case 'not-found': return <section><h1 tabIndex={-1}>Not found</h1><p>There is no such page. <a href="#/superfriends">Your superfriends</a></p></section>
  }
}
