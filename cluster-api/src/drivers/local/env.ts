// The local driver's section of the cluster-api's settings: what MYINTELL_DRIVER=local reads from the environment,
// parsed once at start-up with the rest (config.ts). Library callers pass LocalDriverOptions instead (options.ts).

import { integer, port, settingsSchema, text, type SettingsOf } from '../../../../wire/settings.ts'
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_START_TIMEOUT_MS, DEFAULT_WARM_POOL_SIZE } from './options.ts'

/** The local ingress's port when the cluster-api runs the driver: wrangler.toml's local ORIGIN_URL points here. */
export const LOCAL_INGRESS_PORT = 8789

export const LOCAL_DRIVER_ENV = settingsSchema({
  warmPoolSize: integer('MYINTELL_WARM_POOL_SIZE', {
    default: DEFAULT_WARM_POOL_SIZE, unit: 'count', zero: 'no pool', doc: 'generic runtimes started ahead of time and assigned on wake',
  }),
  ingressPort: port('MYINTELL_INGRESS_PORT', { default: LOCAL_INGRESS_PORT, doc: 'where the local ingress (the stand-in for Traefik) listens' }),
  ingressHost: text('MYINTELL_INGRESS_HOST', { default: '127.0.0.1', doc: 'the interface of the local ingress' }),
  runtimeEntry: text('MYINTELL_RUNTIME_ENTRY', {
    documentedDefault: 'agent/dist/runtime.mjs', doc: 'the runtime\'s entry file (the bundle npm run build makes)',
  }),
  startTimeoutMs: integer('MYINTELL_START_TIMEOUT_MS', {
    default: DEFAULT_START_TIMEOUT_MS, unit: 'ms', zero: 'no bound', doc: 'spawn or assignment to ready before a start counts as failed',
  }),
  drainTimeoutMs: integer('MYINTELL_RUNTIME_DRAIN_TIMEOUT_MS', {
    default: DEFAULT_DRAIN_TIMEOUT_MS, unit: 'ms', zero: 'exit at once', doc: 'how long a runtime may finish open replies after SIGTERM',
  }),
})

export type LocalDriverEnv = SettingsOf<typeof LOCAL_DRIVER_ENV.settings>
