// Node-side suites: cluster-api, agent runtime, wire contract, cross-part tests.
// One embedded PostgreSQL serves the whole run; each test file creates its own database.
import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'node',
    include: ['{wire,cluster-api,agent,cli,test,scripts,infra,manifests}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '.data/**'],
    globalSetup: ['./test/support/global-postgres.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
