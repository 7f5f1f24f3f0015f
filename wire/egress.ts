// Where an agent's outbound requests may go (http_fetch, MCP servers): public addresses only, unless the operator's
// Node only (node:net): not part of the edge Worker, whose type-check excludes it (edge/tsconfig.json).
// allowlist (MYINTELL_EGRESS_ALLOW: comma-separated host names and CIDRs, e.g. `127.0.0.1,10.0.0.0/8,api.internal`)
// lets a private one through. Judged on the resolved address, not the name: a public name that resolves to a private
// address is refused too, and a caller checks again at connect time and on every redirect.

import { BlockList, isIP } from 'node:net'

/** Ranges never reached without the allowlist: loopback, private, link-local (cloud metadata), CGNAT, reserved. */
const REFUSED_V4 = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const
const REFUSED_V6 = [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const

const refused = new BlockList()
for (const [net, prefix] of REFUSED_V4) refused.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of REFUSED_V6) refused.addSubnet(net, prefix, 'ipv6')

/** An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it is. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return { address: mapped[1]!, family: 'ipv4' }
  const version = isIP(address)
  if (version === 4) return { address, family: 'ipv4' }
  if (version === 6) return { address, family: 'ipv6' }
  return null
}

/** Whether `address` (an IP literal) is one no agent reaches without the allowlist. Not an IP: refused. */
export function isRefusedAddress(address: string): boolean {
  const ip = unmapped(address.replace(/^\[|\]$/g, ''))
  if (!ip) return true
  return refused.check(ip.address, ip.family)
}

export interface EgressPolicy {
  /** true when an agent may connect to `address`, reached by the name `host`. */
  allows(host: string, address: string): boolean
  /** The allowlist as configured, for error messages. */
  readonly allowlist: readonly string[]
}

/** Parses MYINTELL_EGRESS_ALLOW; throws on an entry that is neither a host name nor an IP or CIDR. */
export function egressPolicy(allow: string | undefined): EgressPolicy {
  const entries = (allow ?? '').split(',').map((e) => e.trim()).filter(Boolean)
  const hosts = new Set<string>()
  const nets = new BlockList()
  for (const entry of entries) {
    const [net, prefix] = entry.split('/')
    const version = isIP(net!)
    if (version) {
      const bits = prefix === undefined ? (version === 4 ? 32 : 128) : Number(prefix)
      if (!Number.isInteger(bits) || bits < 0 || bits > (version === 4 ? 32 : 128)) throw new Error(`MYINTELL_EGRESS_ALLOW: bad prefix in "${entry}"`)
      nets.addSubnet(net!, bits, version === 4 ? 'ipv4' : 'ipv6')
    } else if (prefix === undefined && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry)) {
      hosts.add(entry.toLowerCase())
    } else {
      throw new Error(`MYINTELL_EGRESS_ALLOW: "${entry}" is neither a host name nor an IP address or CIDR`)
    }
  }
  return {
    allowlist: entries,
    allows(host, address) {
      if (!isRefusedAddress(address)) return true
      if (hosts.has(host.toLowerCase().replace(/\.$/, ''))) return true
      const ip = unmapped(address.replace(/^\[|\]$/g, ''))
      return ip !== null && nets.check(ip.address, ip.family)
    },
  }
}

export type EgressVerdict = { ok: true; url: URL } | { ok: false; reason: string }

/**
 * Judges a URL before any connection: http(s) only, no credentials in it, and every address its host resolves to
 * allowed. `lookup` resolves a name to all its addresses (dns.promises.lookup with `all: true`).
 */
export async function checkEgressUrl(raw: string, policy: EgressPolicy, lookup: (host: string) => Promise<string[]>): Promise<EgressVerdict> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, reason: 'is not a valid URL' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'must be an http or https URL' }
  if (url.username || url.password) return { ok: false, reason: 'may not carry credentials; use a header from a secret' }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  try {
    addresses = isIP(host) ? [host] : await lookup(host)
  } catch {
    return { ok: false, reason: `host ${host} does not resolve` }
  }
  if (addresses.length === 0) return { ok: false, reason: `host ${host} does not resolve` }
  const blocked = addresses.find((address) => !policy.allows(host, address))
  if (blocked) return { ok: false, reason: `resolves to ${blocked}, a private or reserved address (the operator's MYINTELL_EGRESS_ALLOW can allow it)` }
  return { ok: true, url }
}
