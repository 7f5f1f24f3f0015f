// Database per tenant: where a tenant's agents keep conversations and memory.
// Locally a database in the embedded PostgreSQL; in production a Neon database per tenant (or a shared server).

export interface TenantDatabaseProvisioner {
  readonly name: 'postgres' | 'neon'
  /** Creates the tenant's database if it does not exist and returns its connection URL. Idempotent. */
  provision(tenant: { id: string; slug: string }): Promise<string>
  /** Drops the tenant's database. Idempotent. */
  drop(tenant: { id: string; slug: string }): Promise<void>
}
