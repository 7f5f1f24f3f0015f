// The structured logger shape that shared and library-like code writes to: an object of fields, then a message.
// pino's Logger satisfies it; the default drops everything, so a library never prints unless its host passes a logger.

export interface StructuredLogger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export const silentLogger: StructuredLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}
