// The node:crypto functions the edge uses (workerd provides them under nodejs_compat). Declared here rather
// than pulling @types/node into the Worker's types, where Node's globals would clash with workerd's.

declare module 'node:crypto' {
  interface Hmac {
    update(data: string): Hmac
    digest(encoding: 'hex'): string
  }
  interface Hash {
    update(data: string | Uint8Array): Hash
    digest(encoding: 'base64url' | 'hex'): string
  }
  export function createHmac(algorithm: 'sha256', key: string): Hmac
  export function createHash(algorithm: 'sha256'): Hash
}
