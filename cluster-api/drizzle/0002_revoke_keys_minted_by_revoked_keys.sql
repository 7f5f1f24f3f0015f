-- Custom SQL migration (drizzle-kit generate --custom): no schema change, a data sweep.
-- Before revocation cascaded (cluster-api: DELETE /v1/api-keys/:id), revoking a key left the keys it minted
-- (created_by = 'key:<id>', same tenant) active, and what those minted. This revokes every such active
-- descendant of a revoked key. Each gets the revoked_at its parent has (or gets here), so a chain reads as
-- revoked together, as a revocation now records it; never a time before the key itself was created.
-- The walk starts at every revoked key and goes down through active keys only: a revoked descendant is a
-- start of its own, and keeps its revoked_at. Each step is a lookup in api_keys_tenant_id_created_by_idx.
WITH RECURSIVE "swept" ("id", "tenant_id", "revoked_at") AS (
	SELECT "id", "tenant_id", "revoked_at" FROM "api_keys" WHERE "revoked_at" IS NOT NULL
	UNION ALL
	SELECT "minted"."id", "minted"."tenant_id", greatest("swept"."revoked_at", "minted"."created_at")
	FROM "swept"
	JOIN "api_keys" AS "minted"
		ON "minted"."tenant_id" = "swept"."tenant_id" AND "minted"."created_by" = 'key:' || "swept"."id"::text
	WHERE "minted"."revoked_at" IS NULL
)
UPDATE "api_keys" SET "revoked_at" = "swept"."revoked_at"
FROM "swept"
WHERE "api_keys"."id" = "swept"."id" AND "api_keys"."revoked_at" IS NULL;
