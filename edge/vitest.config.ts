// Edge unit tests: the real Worker and AgentGate inside workerd (@cloudflare/vitest-plugin).
// Outbound calls to the cluster-api and the origin are answered by test/edge/support's wire-exact fakes.
import { defineProject } from 'vitest/config'
import { cloudflareTest } from '@cloudflare/vitest-plugin'

export default defineProject({
  plugins: [
    cloudflareTest({
      main: './edge/src/index.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          EDGE_SIGNING_SECRET: 'unit-test-signing-secret-0123456789abcdef',
          CLUSTER_API_URL: 'http://cluster.test',
          ORIGIN_URL: 'http://origin.test',
          AUTH_JWKS_URL: 'http://cluster.test/.well-known/jwks.json',
          AUTH_ISSUER: 'http://cluster.test',
        },
      },
    }),
  ],
  test: {
    name: 'edge',
    include: ['edge/**/*.test.ts'],
  },
})
