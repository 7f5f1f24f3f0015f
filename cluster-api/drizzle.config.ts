// drizzle-kit configuration: `npx drizzle-kit generate --config cluster-api/drizzle.config.ts`.
// Migrations land in cluster-api/drizzle/ and are applied at start-up by src/db/migrate.ts.

import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './cluster-api/src/db/schema/index.ts',
  out: './cluster-api/drizzle',
  casing: 'snake_case',
  ...(process.env.DATABASE_URL ? { dbCredentials: { url: process.env.DATABASE_URL } } : {}),
})
