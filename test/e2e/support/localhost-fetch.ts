// fetch() that reaches `*.localhost` like a browser or curl does: Node's resolver does not map subdomains of
// localhost to loopback, so this dispatcher resolves them to 127.0.0.1 itself. Everything else resolves normally.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { Agent, fetch as undiciFetch } from 'undici'

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

function localhostLookup(hostname: string, options: { all?: boolean }, callback: LookupCallback): void {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }])
    else callback(null, '127.0.0.1', 4)
    return
  }
  dnsLookup(hostname, options as never, callback as never)
}

export const localhostDispatcher = new Agent({ connect: { lookup: localhostLookup as never }, keepAliveTimeout: 1_000 })

export const localFetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
  undiciFetch(input as never, { ...(init as object), dispatcher: localhostDispatcher } as never)) as unknown as typeof fetch
