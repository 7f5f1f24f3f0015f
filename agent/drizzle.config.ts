// drizzle-kit configuration for the tenant database schema (conversations, messages, memories).
// `npx drizzle-kit generate --config agent/drizzle.config.ts` writes agent/drizzle/; the runtime applies it on assignment.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './agent/src/db/schema.ts',
  out: './agent/drizzle',
  migrations: { table: 'agent_migrations', schema: 'myintell_agent' },
})
