// The small logger shape the local driver and the local ingress write to (pino satisfies it).
// The default drops everything, so a library never prints unless the host passes its logger.

export interface LocalDriverLogger {
  debug?(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export const silentLogger: LocalDriverLogger = {
  info() {},
  warn() {},
  error() {},
}
