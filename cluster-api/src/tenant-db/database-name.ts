// Names of tenant databases and roles: derived from the tenant, stable, valid PostgreSQL identifiers, never colliding.
import { createHash } from 'node:crypto'

/** PostgreSQL truncates identifiers to 63 bytes; we stay under it ourselves so names never change silently. */
const MAX_IDENTIFIER_BYTES = 63

/** `tenant_<slug>_<hash of id>`: readable in a list, unique even if two tenants once had the same slug. */
export function tenantDatabaseName(tenant: { id: string; slug: string }, prefix = 'tenant'): string {
  const hash = createHash('sha256').update(tenant.id).digest('hex').slice(0, 10)
  const slug = tenant.slug.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')
  const room = MAX_IDENTIFIER_BYTES - prefix.length - hash.length - 2 - '_owner'.length
  return `${prefix}_${slug.slice(0, room)}_${hash}`
}

export function tenantRoleName(databaseName: string): string {
  return `${databaseName}_owner`
}

/** Double-quotes an identifier; the names above are already safe, this is defence in depth. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}
