// Runs only the CLI's tests (`npx vitest run --config cli/vitest.cli.config.ts`), with the shared PostgreSQL.
import { defineProject } from 'vitest/config'
import node from '../vitest.node.config.ts'

export default defineProject({
  ...node,
  root: new URL('..', import.meta.url).pathname,
  test: { ...node.test, name: 'cli', include: ['cli/**/*.test.ts'] },
})
