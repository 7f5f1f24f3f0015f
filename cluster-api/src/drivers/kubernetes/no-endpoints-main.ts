// Process entry of the no-endpoints answerer (the cluster-api image, `node cluster-api/src/drivers/kubernetes/no-endpoints-main.ts`):
// PORT (default 8080; 0: a free one, printed) on HOST (default 0.0.0.0); stops on SIGTERM/SIGINT. It reads nothing else
// and holds no secret.

import { port, settingsSchema, SettingsError, text } from '../../../../wire/settings.ts'
import { startNoEndpointsServer } from './no-endpoints-server.ts'

const NO_ENDPOINTS_SETTINGS = settingsSchema({
  port: port('PORT', { default: 8080, doc: 'where the answerer listens' }),
  host: text('HOST', { default: '0.0.0.0', doc: 'the interface it listens on (a pod is reached on its pod IP)' }),
})

let settings
try {
  settings = NO_ENDPOINTS_SETTINGS.parse(process.env)
} catch (error) {
  if (!(error instanceof SettingsError)) throw error
  console.error(`no-endpoints: ${error.message}`)
  process.exit(78) // EX_CONFIG
}
const server = await startNoEndpointsServer(settings)
console.log(JSON.stringify({ msg: 'no-endpoints answerer listening', port: server.port }))
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)))
}
