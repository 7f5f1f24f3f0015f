// No secret is committed with the infrastructure: Terraform, images, the deploy guide.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { literalSecretAttributes, scanForSecrets } from './support/secret-scan.ts'
import { REPO_ROOT, listTfFiles, parseTfFile } from './support/terraform.ts'

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (['.terraform', 'node_modules'].includes(name)) return []
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

const scanned = () =>
  [
    ...walk(join(REPO_ROOT, 'infra')),
    ...['cluster-api/Dockerfile', 'agent/Dockerfile', '.dockerignore', 'docs/deploy.md'].map((p) => join(REPO_ROOT, p)),
  ].filter((p) => existsSync(p))

// Samples are assembled at run time so this file itself holds no secret-looking literal.
const sample = {
  privateKey: ['-----BEGIN', 'RSA PRIVATE', 'KEY-----'].join(' '),
  hetznerToken: 'aB3'.repeat(21) + 'x',
  cloudflareToken: 'Zx9_'.repeat(10),
  neonKey: 'napi_' + 'k7'.repeat(16),
  dbUrl: 'postgresql://owner:' + 'hunter2pass' + '@ep-x.eu-central-1.aws.neon.tech/db',
  hclPassword: 'password = "' + 'correct-horse-battery' + '"',
}

describe('the secret scanner', () => {
  it('flags private keys, provider tokens, credentials in URLs and secret-named literals', () => {
    for (const [name, text] of Object.entries(sample)) expect(scanForSecrets(text), name).not.toEqual([])
  })

  it('lets placeholders, interpolations and shell variables through', () => {
    const ok = [
      'hcloud_token = "<Hetzner Cloud API token>"',
      'secret_text = var.edge_signing_secret',
      'token: "${k3s_token}"',
      'DATABASE_URL="$(terraform output -raw neon_connection_uri)"',
      'value = "postgresql://${neon_role.platform.name}:${neon_role.platform.password}@${host}/db"',
      'name        = "EDGE_SIGNING_SECRET"',
    ]
    for (const line of ok) expect(scanForSecrets(line), line).toEqual([])
  })

  it('flags secret-named HCL attributes holding a literal', async () => {
    const { parse } = await import('@cdktf/hcl2json')
    const json = await parse('x.tf', 'provider "hcloud" {\n  token = "abc"\n}\nprovider "neon" {\n  api_key = var.neon_api_key\n}\n')
    expect(literalSecretAttributes(json)).toEqual(['provider.hcloud.0.token'])
  })
})

describe('committed infrastructure files', () => {
  it('contain no secret-looking literal', () => {
    const files = scanned()
    expect(files.length).toBeGreaterThan(20)
    const findings = files.flatMap((f) =>
      scanForSecrets(readFileSync(f, 'utf8')).map((s) => `${relative(REPO_ROOT, f)}:${s.line} ${s.rule} (${s.excerpt})`),
    )
    expect(findings).toEqual([])
  })

  it('assign every secret-named Terraform attribute from an expression, never a literal', async () => {
    const bad: string[] = []
    for (const file of listTfFiles(join(REPO_ROOT, 'infra'))) {
      for (const p of literalSecretAttributes(await parseTfFile(file))) bad.push(`${relative(REPO_ROOT, file)}: ${p}`)
    }
    expect(bad).toEqual([])
  })

  it('keep real variable values and state out of git', () => {
    const ignore = readFileSync(join(REPO_ROOT, 'infra', '.gitignore'), 'utf8').split('\n')
    for (const entry of ['terraform.tfvars', '*.tfstate', '.terraform/']) expect(ignore).toContain(entry)
  })
})
