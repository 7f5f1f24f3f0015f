// Process entry of the no-endpoints answerer (the cluster-api image, `node cluster-api/src/drivers/kubernetes/no-endpoints-main.ts`):
// PORT (default 8080; 0: a free one, printed) on HOST (default 0.0.0.0); stops on SIGTERM/SIGINT. It reads nothing else
// and holds no secret.

import { startNoEndpointsServer } from './no-endpoints-server.ts'

const DEFAULT_PORT = 8080

function port(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PORT
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    console.error(`no-endpoints: PORT must be a port number 0-65535, got "${raw}"`)
    process.exit(78) // EX_CONFIG
  }
  return value
}

const server = await startNoEndpointsServer({ port: port(process.env.PORT), host: process.env.HOST || '0.0.0.0' })
console.log(JSON.stringify({ msg: 'no-endpoints answerer listening', port: server.port }))
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)))
}
