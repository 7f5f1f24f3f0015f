// The whole suite: `npm test` runs every project listed here.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: ['./vitest.node.config.ts', './edge/vitest.config.ts'],
  },
})
