// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded by a proxy.
// Works on Node's raw header arrays so header case and order reach the agent unchanged.

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

/** `raw` as Node gives it ([name, value, name, value, …]) without hop-by-hop headers or those the Connection header lists. */
export function endToEndHeaders(raw: string[]): string[] {
  const listed = new Set<string>()
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') for (const token of raw[i + 1]!.split(',')) listed.add(token.trim().toLowerCase())
  }
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    if (HOP_BY_HOP.has(name) || listed.has(name)) continue
    out.push(raw[i]!, raw[i + 1]!)
  }
  return out
}

/** The Fetch `Headers` of a raw header array, for signature verification. Throws on a value Headers refuses. */
export function toFetchHeaders(raw: string[]): Headers {
  const headers = new Headers()
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!)
  return headers
}
