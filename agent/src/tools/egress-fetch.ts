// The one way an agent's tools reach the network (http_fetch, MCP servers): a fetch that judges every URL with the
// egress policy before connecting, and pins each connection to addresses the policy re-checks at connect time.
// Why twice: a name may resolve to a public address when judged and to 127.0.0.1 a moment later (DNS rebinding).
// The connect-time lookup is the one whose answer the socket uses, so that is the check that cannot be slipped past.
// Redirects are never followed here: each hop is a new call, judged again (http_fetch and the MCP SDK follow them).
import { promises as dns } from 'node:dns'
import type { LookupAddress, LookupOptions } from 'node:dns'
import { checkEgressUrl } from '../../../wire/egress.ts'
import type { EgressPolicy } from '../../../wire/egress.ts'

/** Resolves a host name to all its addresses (the system resolver unless a test gives its own). */
export type Resolver = (host: string) => Promise<LookupAddress[]>

export const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true })

/** A URL or a connection the egress policy refuses; its message is safe to show to the model. */
export class EgressRefusedError extends Error {
  override name = 'EgressRefusedError'
}

export type FetchFn = (url: string | URL, init?: RequestInit) => Promise<Response>

export interface EgressFetch {
  fetch: FetchFn
  /** Closes the pooled connections. */
  close(): Promise<void>
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/** A `net.connect` lookup that answers only with addresses the policy allows, and fails when any is refused. */
export function pinnedLookup(policy: EgressPolicy, resolve: Resolver) {
  return function pinnedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
    resolve(hostname).then((all) => {
      const refused = all.find((a) => !policy.allows(hostname, a.address))
      if (refused) throw new EgressRefusedError(`${hostname} resolves to ${refused.address}, a private or reserved address (the operator's MYINTELL_EGRESS_ALLOW can allow it)`)
      const family = options.family === 4 || options.family === 6 ? options.family : 0
      const wanted = family ? all.filter((a) => a.family === family) : all
      if (wanted.length === 0) throw Object.assign(new Error(`host ${hostname} does not resolve`), { code: 'ENOTFOUND' })
      if (options.all) callback(null, wanted)
      else callback(null, wanted[0]!.address, wanted[0]!.family)
    }).catch((error: NodeJS.ErrnoException) => callback(error, ''))
  }
}

/** The refusal hidden in a failed fetch (undici wraps connect errors as `TypeError: fetch failed` with a cause). */
export function egressRefusal(error: unknown): EgressRefusedError | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof EgressRefusedError) return e
  }
  return null
}

// undici (a kept library; Node's own fetch is undici too, but does not expose its Agent) is loaded on first use, so a
// runtime whose agent reaches nothing outside never pays for it.
let undici: Promise<typeof import('undici')> | undefined

/** A fetch whose every request is judged by `policy` and whose connections go only to allowed addresses. */
export async function egressFetch(policy: EgressPolicy, resolve: Resolver = systemResolver): Promise<EgressFetch> {
  const { Agent, fetch } = await (undici ??= import('undici'))
  const dispatcher = new Agent({ connect: { lookup: pinnedLookup(policy, resolve) } })
  const addressesOf = async (host: string) => (await resolve(host)).map((a) => a.address)
  return {
    async fetch(input, init) {
      const raw = typeof input === 'string' ? input : input.href
      const verdict = await checkEgressUrl(raw, policy, addressesOf)
      if (!verdict.ok) throw new EgressRefusedError(`${redact(raw)} ${verdict.reason}`)
      try {
        const response = await fetch(verdict.url, { ...(init as object), redirect: 'manual', dispatcher } as Parameters<typeof fetch>[1])
        return response as unknown as Response
      } catch (error) {
        throw egressRefusal(error) ?? error
      }
    },
    close: () => dispatcher.close(),
  }
}

/** A network error as a short line: undici's `fetch failed` hides the useful part in its cause. */
export function networkError(error: unknown): string {
  const parts: string[] = []
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.message && e.message !== 'fetch failed') parts.push(e.message)
  }
  return parts.join(': ') || 'the request failed'
}

/** A URL for a message: no query string (it may carry a token the model pasted) and no credentials. */
export function redact(raw: string): string {
  try {
    const url = new URL(raw)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return 'the URL'
  }
}
