// The platform database schema, split by domain; drizzle-kit reads this file to generate migrations.

export * from './tenants.ts'
export * from './users.ts'
export * from './agents.ts'
export * from './api-keys.ts'
export * from './usage.ts'
export * from './signing-keys.ts'
export * from './agent-data-purges.ts'
export * from './agent-secrets.ts'
export * from './runs.ts'
