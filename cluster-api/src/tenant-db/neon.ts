// Tenant databases on Neon: a database (and its own owner role) per tenant on the project's branch, via the Neon API.
// Neon runs changes as operations and answers 423 while one is running; those calls are retried with backoff.
import { createApiClient } from '@neondatabase/api-client'
import type { TenantDatabaseProvisioner } from './types.ts'
import { tenantDatabaseName, tenantRoleName } from './database-name.ts'

export interface NeonProvisionerOptions {
  /** Neon API key. Secret. */
  apiKey: string
  projectId: string
  /** Branch holding the tenant databases; default: the project's default branch. */
  branchId?: string
  /** Pooled (PgBouncer) connection URLs; default true, what many short-lived runtimes want. */
  pooled?: boolean
  /** Neon API base URL, default https://console.neon.tech/api/v2 (tests point it at a double). */
  baseUrl?: string
  prefix?: string
  /** Attempts for a call answered 423 Locked (an operation is running), and the first pause between them (ms). */
  lockedRetries?: number
  lockedRetryDelayMs?: number
}

const DEFAULT_LOCKED_RETRIES = 10
const DEFAULT_LOCKED_RETRY_DELAY_MS = 500
const MAX_LOCKED_RETRY_DELAY_MS = 5_000

function statusOf(err: unknown): number | undefined {
  return (err as { response?: { status?: number } }).response?.status
}

export function createNeonProvisioner(opts: NeonProvisionerOptions): TenantDatabaseProvisioner {
  if (!opts.apiKey) throw new Error('createNeonProvisioner requires apiKey')
  if (!opts.projectId) throw new Error('createNeonProvisioner requires projectId')
  const api = createApiClient({ apiKey: opts.apiKey, ...(opts.baseUrl ? { baseURL: opts.baseUrl } : {}) })
  const retries = opts.lockedRetries ?? DEFAULT_LOCKED_RETRIES
  const firstDelay = opts.lockedRetryDelayMs ?? DEFAULT_LOCKED_RETRY_DELAY_MS
  let branch: Promise<string> | null = opts.branchId ? Promise.resolve(opts.branchId) : null

  async function whenUnlocked<T>(call: () => Promise<T>): Promise<T> {
    let delay = firstDelay
    for (let attempt = 1; ; attempt++) {
      try {
        return await call()
      } catch (err) {
        if (statusOf(err) !== 423 || attempt >= retries) throw wrap(err)
        await new Promise((r) => setTimeout(r, delay))
        delay = Math.min(delay * 2, MAX_LOCKED_RETRY_DELAY_MS)
      }
    }
  }

  /** Errors carry status and Neon's message, never the request (which holds the API key). */
  function wrap(err: unknown): Error {
    const status = statusOf(err)
    const message = (err as { response?: { data?: { message?: string } } }).response?.data?.message ?? (err as Error).message
    return new Error(`Neon API ${status ?? 'request'} failed: ${message}`)
  }

  /** Creates with `create` unless `get` finds it; a 409 from a racing creator counts as found. */
  async function ensure(get: () => Promise<unknown>, create: () => Promise<unknown>): Promise<void> {
    try {
      await get()
      return
    } catch (err) {
      if (statusOf(err) !== 404) throw wrap(err)
    }
    try {
      await whenUnlocked(create)
    } catch (err) {
      if (!/ 409 /.test((err as Error).message)) throw err
    }
  }

  function branchId(): Promise<string> {
    branch ??= api.listProjectBranches({ projectId: opts.projectId }).then((res) => {
      const found = res.data.branches.find((b) => b.default) ?? res.data.branches[0]
      if (!found) throw new Error('Neon project has no branch')
      return found.id
    }).catch((err) => {
      branch = null
      throw wrap(err)
    })
    return branch
  }

  return {
    name: 'neon',
    async provision(tenant) {
      const database = tenantDatabaseName(tenant, opts.prefix)
      const role = tenantRoleName(database)
      const b = await branchId()
      await ensure(
        () => api.getProjectBranchRole(opts.projectId, b, role),
        () => api.createProjectBranchRole(opts.projectId, b, { role: { name: role } }),
      )
      await ensure(
        () => api.getProjectBranchDatabase(opts.projectId, b, database),
        () => api.createProjectBranchDatabase(opts.projectId, b, { database: { name: database, owner_name: role } }),
      )
      const res = await whenUnlocked(() => api.getConnectionUri({
        projectId: opts.projectId, branch_id: b, database_name: database, role_name: role, pooled: opts.pooled ?? true,
      }))
      return res.data.uri
    },
    async drop(tenant) {
      const database = tenantDatabaseName(tenant, opts.prefix)
      const b = await branchId()
      const removals: Array<() => Promise<unknown>> = [
        () => api.deleteProjectBranchDatabase(opts.projectId, b, database),
        () => api.deleteProjectBranchRole(opts.projectId, b, tenantRoleName(database)),
      ]
      for (const remove of removals) {
        try {
          await whenUnlocked(remove)
        } catch (err) {
          if (!/ 404 /.test((err as Error).message)) throw err
        }
      }
    },
  }
}
