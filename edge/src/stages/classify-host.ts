// Which part of the platform a host names. `<base>`/`www.<base>` → landing, `app.` → dashboard,
// `api.` → platform API, any other single valid label → that superfriend; anything else → 404.

import type { MiddlewareHandler } from 'hono'
import { isValidSlug } from '../../../wire/slug.ts'
import type { EdgeEnv, HostTarget } from '../context.ts'
import { unknownAgent, unknownHost } from '../problems.ts'

export function classifyHostname(hostname: string, baseDomain: string): HostTarget | null {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  if (host === baseDomain || host === `www.${baseDomain}`) return { kind: 'landing' }
  if (!host.endsWith(`.${baseDomain}`)) return null
  const label = host.slice(0, -baseDomain.length - 1)
  if (label === 'app') return { kind: 'app' }
  if (label === 'api') return { kind: 'api' }
  if (label.includes('.')) return null
  return { kind: 'agent', slug: label }
}

export const classifyHost = (): MiddlewareHandler<EdgeEnv> =>
  async function classifyHost(c, next) {
    // Route on the URL's hostname: local runtimes rewrite the Host header but keep the URL.
    const target = classifyHostname(new URL(c.req.url).hostname, c.get('config').baseDomain)
    if (!target) throw unknownHost()
    if (target.kind === 'agent' && !isValidSlug(target.slug)) throw unknownAgent()
    c.set('host', target)
    await next()
  }
