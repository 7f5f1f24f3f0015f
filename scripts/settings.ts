// What `npm start` itself reads from the environment, beyond the cluster-api's settings (which it parses with the
// cluster-api's own schema) and the edge's (which it sets for the Worker it starts).

import { choice, port, settingsSchema } from '../wire/settings.ts'

export const NPM_START_SETTINGS = settingsSchema({
  edgePort: port('MYINTELL_PORT', { default: 8787, doc: 'where npm start serves the edge (*.localhost:<port>)' }),
  accessLog: choice('MYINTELL_ACCESS_LOG', ['pretty', 'json', 'off'], {
    documentedDefault: 'pretty', doc: 'the edge\'s line per request; unset: pretty, json with NODE_ENV=production',
  }),
  logLevel: choice('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'warn', doc: 'the platform\'s pino level under npm start (the cluster-api alone: info)',
  }),
})
