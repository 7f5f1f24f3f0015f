// The fake platform (cluster-api internal API + origin, test/edge/support/fake-platform.ts) in its own
// process, for `npm run bench -- edge` figure 2: ten thousand connections from the edge to the origin must
// not share a descriptor table with the ten thousand client connections of the load generator.
// Driven over HTTP at /__fake/*; prints {"clusterUrl","originUrl"} on stdout.

import { startFakePlatform } from '../test/edge/support/fake-platform.ts'

const secret = process.argv[2]
if (!secret) throw new Error('usage: _edge-platform.ts <signing secret>')
const platform = await startFakePlatform(secret)
process.stdout.write(`${JSON.stringify({ clusterUrl: platform.clusterUrl, originUrl: platform.originUrl })}\n`)
process.on('SIGTERM', () => {
  void platform.close().finally(() => process.exit(0))
})
