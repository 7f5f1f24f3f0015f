// The frame around every signed-in page: skip link, navigation, the workspace and the user.
import type { ComponentChildren } from 'preact'
import type { Tenant } from '../api/platform.ts'
import type { Session } from '../auth/auth.ts'
import { href, useRoute } from '../router.ts'

export function Shell(props: {
  session: Session; tenant: Tenant; tenants: Tenant[]; children: ComponentChildren
  onChooseTenant: (id: string) => void; onSignOut: () => void
}) {
  const route = useRoute()
  const section = route.page === 'keys' ? 'keys' : route.page === 'usage' ? 'usage' : 'superfriends'
  const link = (name: typeof section, to: string, label: string) => (
    <a href={to} aria-current={section === name ? 'page' : undefined}>{label}</a>
  )
  return (
    <div class="shell">
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href={href.superfriends()}>myintell.ai</a>
        <nav aria-label="Main">
          {link('superfriends', href.superfriends(), 'Superfriends')}
          {link('keys', href.keys(), 'API keys')}
          {link('usage', href.usage(), 'Usage')}
        </nav>
        <div class="account">
          {props.tenants.length > 1 ? (
            <select aria-label="Workspace" value={props.tenant.id} onChange={(e) => props.onChooseTenant(e.currentTarget.value)}>
              {props.tenants.map((t) => <option value={t.id}>{t.name}</option>)}
            </select>
          ) : <span class="tenant" title="Workspace">{props.tenant.name}</span>}
          <span class="email">{props.session.email}</span>
          <button type="button" class="link" onClick={props.onSignOut}>Sign out</button>
        </div>
      </header>
      <main id="main">{props.children}</main>
    </div>
  )
}
