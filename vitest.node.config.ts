// Node-side suites: cluster-api, agent runtime, wire contract, cross-part tests.
// First the agent bundle they spawn is rebuilt if stale; then one embedded PostgreSQL serves the whole run, and
// each test file creates its own database.
import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'node',
    include: ['{wire,cluster-api,agent,cli,test,scripts,infra,manifests}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '.data/**'],
    // The agent bundle the tests spawn, rebuilt first if its sources (agent/src, wire/, its vite config, the lockfile) changed since; then one PostgreSQL.
    globalSetup: ['./test/support/agent-bundle.ts', './test/support/global-postgres.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
