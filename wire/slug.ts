// Slug rules: a superfriend's slug is its subdomain, so it must be a DNS label we are willing to hand out.
// Shared by the cluster-api (validation), the edge (host parsing) and the dashboard (live validation).

export const SLUG_MIN_LENGTH = 3
export const SLUG_MAX_LENGTH = 40

/** Names that belong to the platform or could impersonate it. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'api', 'app', 'www', 'admin', 'internal', 'edge', 'status', 'docs', 'dashboard', 'console', 'auth', 'login',
  'signin', 'signup', 'account', 'accounts', 'billing', 'support', 'help', 'mail', 'email', 'smtp', 'ftp', 'ns1',
  'ns2', 'dns', 'cdn', 'static', 'assets', 'blog', 'root', 'system', 'myintell', 'localhost', 'metrics', 'health',
  'webhooks', 'security', 'abuse', 'postmaster', 'hostmaster', 'webmaster', 'test', 'dev', 'staging', 'prod',
])

export type SlugRule = 'length' | 'charset' | 'hyphen-edge' | 'reserved' | 'punycode'

export interface SlugProblem {
  rule: SlugRule
  message: string
}

/** Returns the first rule `slug` breaks, or null when it is a valid slug. */
export function checkSlug(slug: string): SlugProblem | null {
  if (slug.length < SLUG_MIN_LENGTH || slug.length > SLUG_MAX_LENGTH) {
    return { rule: 'length', message: `must be ${SLUG_MIN_LENGTH} to ${SLUG_MAX_LENGTH} characters long` }
  }
  if (!/^[a-z0-9-]+$/.test(slug)) {
    return { rule: 'charset', message: 'may contain only lowercase letters a-z, digits 0-9 and hyphens' }
  }
  if (slug.startsWith('-') || slug.endsWith('-')) {
    return { rule: 'hyphen-edge', message: 'must not start or end with a hyphen' }
  }
  // "xn--" labels are IDNA-encoded; handing them out invites look-alike domains.
  if (/^..--/.test(slug)) {
    return { rule: 'punycode', message: 'must not have hyphens in the third and fourth positions (reserved for IDNA)' }
  }
  if (RESERVED_SLUGS.has(slug)) {
    return { rule: 'reserved', message: `"${slug}" is reserved by the platform` }
  }
  return null
}

export function isValidSlug(slug: string): boolean {
  return checkSlug(slug) === null
}
