// Finds secret-looking literals in text: private keys, provider tokens, credentials in URLs and
// secret-named attributes assigned a literal. Placeholders (<…>) and interpolations (${…}, $VAR) pass.

export interface SecretFinding {
  rule: string
  line: number
  excerpt: string
}

const RULES: { rule: string; pattern: RegExp }[] = [
  { rule: 'private key block', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { rule: 'Hetzner-style 64-character token', pattern: /(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])/ },
  { rule: 'Cloudflare-style 40-character token', pattern: /(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{40}(?![A-Za-z0-9_-])/ },
  { rule: 'Neon API key', pattern: /\bnapi_[A-Za-z0-9]{16,}/ },
  { rule: 'GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
  { rule: 'AWS access key', pattern: /\bAKIA[0-9A-Z]{16}\b/ },
  { rule: 'model provider key', pattern: /\bsk-(ant-)?[A-Za-z0-9_-]{20,}/ },
  { rule: 'Clerk secret key', pattern: /\bsk_(live|test)_[A-Za-z0-9]{16,}/ },
  { rule: 'Svix webhook secret', pattern: /\bwhsec_[A-Za-z0-9+/=]{16,}/ },
  { rule: 'JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./ },
  { rule: 'password in a connection URL', pattern: /\b[a-z][a-z0-9+]*:\/\/[^\s:/@"'$<]+:(?![$<*])[^\s@/"']{3,}@/ },
  {
    rule: 'secret-named setting with a literal value',
    pattern: /\b[A-Za-z_]*(password|passwd|secret|secret_text|token|api_key|apikey|private_key)\b["']?\s*[:=]\s*["'](?![<$])[^"'\s]{8,}["']/i,
  },
]

export function scanForSecrets(text: string): SecretFinding[] {
  const findings: SecretFinding[] = []
  text.split('\n').forEach((lineText, i) => {
    for (const { rule, pattern } of RULES) {
      const m = pattern.exec(lineText)
      if (m) findings.push({ rule, line: i + 1, excerpt: m[0].slice(0, 12) + '…' })
    }
  })
  return findings
}

const SECRET_ATTRIBUTE = /(^|_)(password|passwd|secret|secret_text|token|api_key|api_token|private_key|private_key_pem)$/

/** Secret-named attributes in parsed HCL whose value is a literal rather than an expression. */
export function literalSecretAttributes(json: unknown, path: string[] = []): string[] {
  if (Array.isArray(json)) return json.flatMap((v, i) => literalSecretAttributes(v, [...path, String(i)]))
  if (json === null || typeof json !== 'object') return []
  const out: string[] = []
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    // variable "x_token" { ... } declares a secret; it does not hold one.
    if (SECRET_ATTRIBUTE.test(key) && typeof value === 'string' && !/^\$\{[^}]+\}$/.test(value.trim())) {
      out.push([...path, key].join('.'))
    }
    out.push(...literalSecretAttributes(value, [...path, key]))
  }
  return out
}
