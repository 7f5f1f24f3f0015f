// docs/deploy.md must match the repository: every path its commands and prose name exists, every
// Terraform output and resource it uses is declared, and the images it pushes are the ones the
// manifests run. manifests/ is written in parallel with this guide; the checks on it pass once
// manifests/overlays/production lands.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, normalize, relative } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { MODULES_DIR, PRODUCTION_DIR, REPO_ROOT, listTfFiles, loadTerraformDir } from './support/terraform.ts'
import type { TerraformDir } from './support/terraform.ts'

const GUIDE = join(REPO_ROOT, 'docs', 'deploy.md')
const guide = () => readFileSync(GUIDE, 'utf8')

/** Paths the guide names that only exist once an operator has run it (terraform init writes the lock file). */
const GENERATED = new Set(['infra/environments/production/.terraform.lock.hcl'])

/** snake_case words in the guide that are not Terraform settings. */
const NOT_TERRAFORM = new Set(['node_modules'])

const REPO_PATH = /(?<![\w./$-])((?:infra|manifests|cluster-api|agent|edge|wire|docs|scripts)\/[\w./-]*[\w/]|wrangler\.toml|package\.json|[\w.-]+\.(?:example|ya?ml|tf|toml))(?![\w/-])/g

interface ShellLine { cwd: string; text: string }

/** Lines of the guide's sh blocks, continuations joined, each with the directory it runs in. */
function shellLines(markdown: string): ShellLine[] {
  const out: ShellLine[] = []
  for (const [, body] of markdown.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    let cwd = '.'
    for (const text of (body as string).replace(/\\\n\s*/g, ' ').split('\n')) {
      const cd = /^\s*cd\s+(\S+)/.exec(text)
      if (cd) cwd = normalize(join(cwd, cd[1] as string))
      out.push({ cwd, text })
    }
  }
  return out
}

/** Every repository path a line names; redirect targets are outputs, not inputs. Paths with a folder are
 *  repository-relative; a bare file name (terraform.tfvars.example) is relative to the line's directory. */
function pathsIn(line: ShellLine): string[] {
  const found: string[] = []
  for (const m of line.text.matchAll(REPO_PATH)) {
    if (/>\s*$/.test(line.text.slice(0, m.index))) continue
    const p = m[1] as string
    found.push(normalize(p.includes('/') || p === 'wrangler.toml' || p === 'package.json' ? p : join(line.cwd, p)))
  }
  return found
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? allFiles(path) : [path]
  })
}

let prod: TerraformDir
beforeAll(async () => {
  prod = await loadTerraformDir(PRODUCTION_DIR)
})

describe('docs/deploy.md', () => {
  it('covers the way from empty accounts to a running platform, and back', () => {
    const text = guide()
    for (const step of [
      'terraform init', 'terraform plan', 'terraform apply', 'terraform.tfvars.example', 'kubeconfig_command',
      'docker buildx build', 'kubeseal', 'kubectl apply -k manifests/overlays/production',
      'npx wrangler deploy --env production', 'npx wrangler secret put EDGE_SIGNING_SECRET --env production',
      '/v1/tenants', 'npx wrangler rollback', 'rollout undo', 'migration',
    ]) expect(text, step).toContain(step)
    for (const part of ['### Images', '### Manifests', '### Edge Worker', '### Database migrations', '### Terraform']) expect(text, part).toContain(part)
  })

  it('changes directory only into directories that exist', () => {
    const missing = shellLines(guide()).filter((l) => !existsSync(join(REPO_ROOT, l.cwd))).map((l) => l.cwd)
    expect([...new Set(missing)]).toEqual([])
  })

  it('runs commands only on repository files and directories that exist', () => {
    const missing = new Set<string>()
    for (const line of shellLines(guide())) {
      for (const p of pathsIn(line)) if (!GENERATED.has(p) && !existsSync(join(REPO_ROOT, p))) missing.add(`${p} (in: ${line.text.trim()})`)
    }
    expect([...missing]).toEqual([])
  })

  it('names only repository paths that exist in its prose', () => {
    const missing: string[] = []
    for (const [, code] of guide().matchAll(/`([^`\n]+)`/g)) {
      for (const m of (code as string).matchAll(REPO_PATH)) {
        const p = normalize(m[1] as string)
        if (p.includes('/') && !GENERATED.has(p) && !existsSync(join(REPO_ROOT, p))) missing.push(p)
      }
    }
    expect(missing).toEqual([])
  })

  it('reads only Terraform outputs the production environment declares', () => {
    const used = [...guide().matchAll(/terraform(?:\s+-chdir=\S+)?\s+output\s+(?:-raw\s+|-json\s+)?([a-z0-9_]+)/g)].map((m) => m[1] as string)
    expect(used.length).toBeGreaterThan(3)
    expect(used.filter((o) => !(o in prod.outputs))).toEqual([])
  })

  it('imports only resources the production environment defines', async () => {
    const imports = [...guide().matchAll(/terraform import '?module\.([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)/g)]
    expect(imports.length).toBeGreaterThan(0)
    for (const [, mod, type, name] of imports) {
      const call = prod.modules[mod as string]
      expect(call, `module.${mod}`).toBeDefined()
      const child = await loadTerraformDir(join(PRODUCTION_DIR, call?.source as string))
      expect(child.resources[type as string]?.[name as string], `${type}.${name}`).toBeDefined()
    }
  })

  it('mentions only Terraform settings that exist', () => {
    const tfText = listTfFiles(join(REPO_ROOT, 'infra')).map((f) => readFileSync(f, 'utf8')).join('\n')
    const unknown = [...guide().matchAll(/`([a-z0-9]+(?:_[a-z0-9]+)+)(?:\s*=[^`]*)?`/g)]
      .map((m) => m[1] as string)
      .filter((name) => !NOT_TERRAFORM.has(name) && !tfText.includes(name))
    expect([...new Set(unknown)]).toEqual([])
    expect(existsSync(MODULES_DIR)).toBe(true)
  })

  it('deploys the Worker with a production environment wrangler.toml defines', () => {
    expect(guide()).toMatch(/wrangler deploy --env production/)
    const wrangler = readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8')
    expect(wrangler).toContain('[env.production]')
    const name = /^name\s*=\s*"([^"]+)"/m.exec(wrangler)?.[1]
    expect(guide()).toContain(`\`${name}-production\``)
  })

  it('builds each image from its own Dockerfile under the name the manifests run', () => {
    const builds = [...guide().matchAll(/docker buildx build .*?-f (\S+) -t (ghcr\.io\/myintell\/[a-z-]+):/g)].map((m) => [m[1], m[2]])
    expect(builds).toEqual([
      ['cluster-api/Dockerfile', 'ghcr.io/myintell/cluster-api'],
      ['agent/Dockerfile', 'ghcr.io/myintell/agent'],
    ])
  })

  it('serves the origin certificate from the Secret name the cluster module configures', async () => {
    const k3s = await loadTerraformDir(join(MODULES_DIR, 'k3s-cluster'))
    expect(guide()).toContain(`kubectl -n kube-system create secret tls ${k3s.variables.origin_cert_secret_name?.default}`)
  })

  it('seals every Secret and key the production overlay expects, under the same names', () => {
    const file = join(REPO_ROOT, 'manifests', 'overlays', 'production', 'sealed-secrets.yaml')
    expect(existsSync(file), 'manifests/overlays/production/sealed-secrets.yaml').toBe(true)
    const sealed = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string }; spec: { encryptedData: Record<string, string> } })
      .filter((d) => d?.kind === 'SealedSecret')
    expect(sealed.length).toBeGreaterThan(0)
    const text = guide().replace(/\\\n\s*/g, ' ')
    for (const s of sealed) {
      const command = new RegExp(`kubectl create secret generic ${s.metadata.name} --namespace ${s.metadata.namespace}([^|]*)\\|`).exec(text)
      expect(command, `${s.metadata.namespace}/${s.metadata.name}`).not.toBeNull()
      const keys = [...(command?.[1] ?? '').matchAll(/--from-literal=([A-Za-z_]+)=/g)].map((m) => m[1])
      // The guide's output replaces the whole file, so it may seal more keys, never fewer.
      expect(keys, `${s.metadata.namespace}/${s.metadata.name}`).toEqual(expect.arrayContaining(Object.keys(s.spec.encryptedData)))
    }
  })

  it('waits for the Deployment the manifests define', () => {
    const manifests = allFiles(join(REPO_ROOT, 'manifests')).filter((f) => /\.ya?ml$/.test(f))
      .flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null))
    const deployments = manifests.filter((d) => d?.kind === 'Deployment').map((d) => `${d?.metadata?.namespace}/${d?.metadata?.name}`)
    const waited = [...guide().matchAll(/kubectl -n (\S+) rollout status deploy\/([a-z0-9-]+)/g)].map((m) => `${m[1]}/${m[2]}`)
    expect(waited.length).toBeGreaterThan(0)
    for (const d of waited) expect(deployments).toContain(d)
  })

  it('applies a production overlay that runs the images the guide pushes', () => {
    const overlay = join(REPO_ROOT, 'manifests', 'overlays', 'production')
    expect(existsSync(join(overlay, 'kustomization.yaml')), 'manifests/overlays/production/kustomization.yaml').toBe(true)
    const manifests = allFiles(join(REPO_ROOT, 'manifests')).filter((f) => /\.ya?ml$/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n')
    for (const image of ['ghcr.io/myintell/cluster-api', 'ghcr.io/myintell/agent']) expect(manifests, image).toContain(image)
    expect(manifests).toContain('myintell-system')
    expect(relative(REPO_ROOT, overlay)).toBe('manifests/overlays/production')
  })
})
