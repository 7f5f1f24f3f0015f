// Where the dashboard's servers are: it runs on app.<base> and talks to api.<base> and <slug>.<base>, so every
// URL derives from location. Anywhere else (a Vite dev server on 127.0.0.1) VITE_MYINTELL_BASE names the base.

import { CONFIGURED_BASE } from '../env.ts'

export interface Hosts {
  /** `localhost:8787`, `myintell.ai` */
  base: string
  /** `http://api.localhost:8787`, no trailing slash */
  apiUrl: string
  agentUrl(slug: string): string
  /** What a user types to reach a superfriend: `ada.myintell.ai` */
  agentHost(slug: string): string
}

export function hostsFor(location: { protocol: string; host: string }, configuredBase?: string): Hosts {
  const base = location.host.startsWith('app.') ? location.host.slice('app.'.length) : configuredBase || location.host
  const scheme = location.protocol === 'https:' ? 'https:' : 'http:'
  return {
    base,
    apiUrl: `${scheme}//api.${base}`,
    agentUrl: (slug) => `${scheme}//${slug}.${base}`,
    agentHost: (slug) => `${slug}.${base}`,
  }
}

export const hosts: Hosts = hostsFor(typeof window === 'undefined' ? { protocol: 'http:', host: 'localhost' } : window.location, CONFIGURED_BASE)
