// Edge unit tests: the real Worker and AgentGate inside workerd (@cloudflare/vitest-plugin).
// Outbound calls reach test/edge/support's wire-exact fake cluster-api and origin on loopback ports.
import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { UNIT_SIGNING_SECRET } from '../test/edge/support/global-fake-platform.ts'
import { FAKE_AUDIENCE, FAKE_ISSUER } from '../test/edge/support/fake-platform.ts'

export default defineProject({
  // Paths below are from the repository root, like the other projects'.
  root: fileURLToPath(new URL('..', import.meta.url)),
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: './edge/src/index.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          EDGE_SIGNING_SECRET: UNIT_SIGNING_SECRET,
          CLUSTER_API_URL: inject('fakeClusterUrl'),
          ORIGIN_URL: inject('fakeOriginUrl'),
          AUTH_JWKS_URL: `${inject('fakeClusterUrl')}/.well-known/jwks.json`,
          AUTH_ISSUER: FAKE_ISSUER,
          AUTH_AUDIENCE: FAKE_AUDIENCE,
          // Small bounds so the unit tests can reach them with a handful of calls.
          ACCESS_LOG: 'off',
          MAX_HELD_REQUESTS: '5',
          REPLAY_BODY_MAX_BYTES: '65536',
          ORIGIN_TIMEOUT_MS: '2000',
          RATE_LIMIT_PERIOD_SECONDS: '60',
        },
        // Replaces wrangler.toml's binding: 3 requests per tenant per minute, reachable in a unit test.
        ratelimits: { TENANT_RATE_LIMIT: { namespace_id: '1001', simple: { limit: 3, period: 60 } } },
      },
    })),
  ],
  test: {
    name: 'edge',
    // One workerd for all files (a fresh one costs ~7 s on a busy 2-core box); tests use unique agent names.
    isolate: false,
    include: ['edge/**/*.test.ts'],
    globalSetup: ['./test/edge/support/global-fake-platform.ts'],
  },
})
