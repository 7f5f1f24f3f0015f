// The one node:crypto function the edge uses (workerd provides it under nodejs_compat). Declared here rather
// than pulling @types/node into the Worker's types, where Node's globals would clash with workerd's.

declare module 'node:crypto' {
  interface Hmac {
    update(data: string): Hmac
    digest(encoding: 'hex'): string
  }
  export function createHmac(algorithm: 'sha256', key: string): Hmac
}
