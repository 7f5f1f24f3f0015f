// Chooses the tenant database provisioner from the configuration: Neon (a database per tenant through
// the Neon API) or a PostgreSQL server (TENANT_DB_ADMIN_URL, else the platform's own server); either migrates what it provisions.

import type { TenantDatabaseConfig } from './config.ts'
import type { DatabaseInfo } from './server.ts'
import { migratingProvisioner } from './tenant-db/migrating-provisioner.ts'
import { createNeonProvisioner } from './tenant-db/neon.ts'
import { createPostgresProvisioner } from './tenant-db/postgres.ts'
import type { TenantDatabaseProvisioner } from './tenant-db/types.ts'

export function tenantDatabaseProvisioner(config: TenantDatabaseConfig): (database: DatabaseInfo) => TenantDatabaseProvisioner {
  return (database) => {
    if (config.kind === 'neon') {
      return migratingProvisioner(createNeonProvisioner({ apiKey: config.apiKey, projectId: config.projectId, ...(config.branchId ? { branchId: config.branchId } : {}) }))
    }
    // Embedded: the server we started (superuser). External: the platform URL's role needs CREATEDB.
    const adminUrl = config.adminUrl ?? database.adminUrl ?? database.url
    return migratingProvisioner(createPostgresProvisioner({ adminUrl, ...(config.roleSecret ? { roleSecret: config.roleSecret } : {}) }))
  }
}
