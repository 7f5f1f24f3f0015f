// Tenant queries. Membership decides visibility: a user sees only tenants it belongs to.

import { and, asc, eq } from 'drizzle-orm'
import { newId, isId } from '../ids.ts'
import { memberships, tenants, type MembershipRole, type Tenant } from '../schema/index.ts'
import type { Db } from '../types.ts'

export async function createTenantWithOwner(db: Db, input: { slug: string; name: string }, ownerId: string): Promise<Tenant> {
  return db.transaction(async (tx) => {
    const [tenant] = await tx.insert(tenants).values({ id: newId(), slug: input.slug, name: input.name }).returning()
    await tx.insert(memberships).values({ tenantId: tenant!.id, userId: ownerId, role: 'owner' })
    return tenant!
  })
}

export async function findTenantById(db: Db, id: string): Promise<Tenant | null> {
  if (!isId(id)) return null
  const [tenant] = await db.select().from(tenants).where(eq(tenants.id, id))
  return tenant ?? null
}

export async function listTenantsOfUser(db: Db, userId: string): Promise<Array<Tenant & { role: MembershipRole }>> {
  const rows = await db.select({ tenant: tenants, role: memberships.role })
    .from(memberships).innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.userId, userId)).orderBy(asc(tenants.id))
  return rows.map((row) => ({ ...row.tenant, role: row.role }))
}

export async function listTenantIdsOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = await db.select({ tenantId: memberships.tenantId }).from(memberships).where(eq(memberships.userId, userId))
  return rows.map((row) => row.tenantId)
}

/** Every membership of the user, one query: tenant choice and role check in one round trip. */
export async function listMembershipsOfUser(db: Db, userId: string): Promise<Array<{ tenantId: string; role: MembershipRole }>> {
  return db.select({ tenantId: memberships.tenantId, role: memberships.role }).from(memberships).where(eq(memberships.userId, userId))
}

export async function findMembershipRole(db: Db, tenantId: string, userId: string): Promise<MembershipRole | null> {
  if (!isId(tenantId)) return null
  const [row] = await db.select({ role: memberships.role }).from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
  return row?.role ?? null
}

export async function updateTenant(db: Db, id: string, patch: { name?: string | undefined }): Promise<Tenant | null> {
  if (!isId(id)) return null
  const [tenant] = await db.update(tenants).set({ ...patch, updatedAt: new Date() }).where(eq(tenants.id, id)).returning()
  return tenant ?? null
}
