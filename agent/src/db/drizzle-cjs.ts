// drizzle-orm loaded through its CommonJS build, typed from its declarations.
// Measured here: the ESM build of drizzle-orm/node-postgres takes ~4.3 s and +45 MB RSS to load, the CJS build
// ~0.7 s and +16 MB, which is the difference between a runtime that starts fast and fits its memory budget or not.
import { createRequire } from 'node:module'
import type * as PgCore from 'drizzle-orm/pg-core'
import type * as Sql from 'drizzle-orm/sql'
import type * as NodePostgres from 'drizzle-orm/node-postgres'
import type * as Migrator from 'drizzle-orm/node-postgres/migrator'

// drizzle-kit loads the schema through a CommonJS transpiler, where import.meta.url is undefined and __filename is set.
const load = createRequire(import.meta.url ?? __filename)

export const pgCore = load('drizzle-orm/pg-core') as typeof PgCore
export const sqlOps = load('drizzle-orm/sql') as typeof Sql
export const nodePostgres = load('drizzle-orm/node-postgres') as typeof NodePostgres
export const migrator = load('drizzle-orm/node-postgres/migrator') as typeof Migrator
