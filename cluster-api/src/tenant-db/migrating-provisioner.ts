// Migrates a tenant database when it is provisioned, with the runtime's own migrations (agent/drizzle), so that a
// wake only has to check the schema version; the runtime still migrates a database it finds behind (older installs).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ensureTenantSchema, sourceMigrationsFolder } from '../../../wire/tenant-schema.ts'
import type { TenantDatabaseProvisioner } from './types.ts'

/** `migrationsFolder`: the runtime's migrations; the cluster-api image ships agent/drizzle for this (its Dockerfile). */
export function migratingProvisioner(inner: TenantDatabaseProvisioner, migrationsFolder: string = sourceMigrationsFolder()): TenantDatabaseProvisioner {
  // A bad setup fails at construction, not at the first wake.
  if (!existsSync(join(migrationsFolder, 'meta', '_journal.json'))) {
    throw new Error(`tenant database migrations not found in ${migrationsFolder} (agent/drizzle must ship with the cluster-api)`)
  }
  return {
    name: inner.name,
    async provision(tenant) {
      const url = await inner.provision(tenant)
      await ensureTenantSchema(url, migrationsFolder)
      return url
    },
    drop: (tenant) => inner.drop(tenant),
  }
}
