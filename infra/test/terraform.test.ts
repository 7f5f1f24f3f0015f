// Static checks of the Terraform under infra/: parsed with @cdktf/hcl2json, no terraform binary.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import {
  MODULES_DIR, PRODUCTION_DIR, REPO_ROOT, blocks, listTerraformDirs, listTfFiles, loadTerraformDir,
  parseTfFile, referencedVariables, resource,
} from './support/terraform.ts'
import type { Block, TerraformDir } from './support/terraform.ts'

const SECRET_NAME = /(^|_)(token|secret|password|passwd|api_key|private_key|credentials?)$/
const PINNED_VERSION = /^(=\s*)?\d+\.\d+\.\d+$|^~>\s*\d+\.\d+\.\d+$/

const dirs: TerraformDir[] = []
const byPath = (path: string): TerraformDir => {
  const tf = dirs.find((d) => d.dir === path)
  if (!tf) throw new Error(`no Terraform in ${path}`)
  return tf
}
const mod = (name: string) => byPath(join(MODULES_DIR, name))
const rel = (tf: TerraformDir) => relative(REPO_ROOT, tf.dir)

beforeAll(async () => {
  for (const dir of listTerraformDirs()) dirs.push(await loadTerraformDir(dir))
})

describe('every Terraform directory', () => {
  it('parses every .tf file under infra/ with hcl2json', async () => {
    const files = listTfFiles(join(REPO_ROOT, 'infra'))
    expect(files.length).toBeGreaterThan(10)
    for (const file of files) await expect(parseTfFile(file)).resolves.toBeTypeOf('object')
  })

  it('gives every variable a type and a description', () => {
    const missing: string[] = []
    for (const tf of dirs) {
      for (const [name, v] of Object.entries(tf.variables)) {
        if (typeof v.type !== 'string' || !v.type.startsWith('${')) missing.push(`${rel(tf)}: var.${name} has no type`)
        if (typeof v.description !== 'string' || v.description.trim().length < 10) missing.push(`${rel(tf)}: var.${name} has no description`)
      }
    }
    expect(missing).toEqual([])
  })

  it('marks every secret-looking variable sensitive and gives it no default', () => {
    const bad: string[] = []
    for (const tf of dirs) {
      for (const [name, v] of Object.entries(tf.variables)) {
        if (!SECRET_NAME.test(name)) continue
        if (v.sensitive !== true) bad.push(`${rel(tf)}: var.${name} is not sensitive`)
        if ('default' in v) bad.push(`${rel(tf)}: var.${name} has a default`)
      }
    }
    expect(bad).toEqual([])
  })

  it('declares every variable it references', () => {
    const undeclared: string[] = []
    for (const tf of dirs) {
      for (const name of referencedVariables(tf.text)) if (!(name in tf.variables)) undeclared.push(`${rel(tf)}: var.${name}`)
    }
    expect(undeclared).toEqual([])
  })

  it('pins a source and version for every provider it requires, the same version everywhere', () => {
    const versions = new Map<string, Set<string>>()
    const bad: string[] = []
    for (const tf of dirs) {
      expect(Object.keys(tf.requiredProviders).length, `${rel(tf)} has required_providers`).toBeGreaterThan(0)
      for (const [name, req] of Object.entries(tf.requiredProviders)) {
        if (!req.source) bad.push(`${rel(tf)}: ${name} has no source`)
        if (!req.version || !PINNED_VERSION.test(req.version)) bad.push(`${rel(tf)}: ${name} version ${req.version} is not pinned`)
        const seen = versions.get(req.source ?? name) ?? new Set()
        seen.add(req.version ?? '')
        versions.set(req.source ?? name, seen)
      }
    }
    expect(bad).toEqual([])
    for (const [source, seen] of versions) expect([...seen], `${source} versions`).toHaveLength(1)
    expect([...versions.keys()]).toEqual(expect.arrayContaining(['hetznercloud/hcloud', 'cloudflare/cloudflare', 'kislerdm/neon']))
  })

  it('requires every provider whose resources it uses', () => {
    const missing: string[] = []
    for (const tf of dirs) {
      const used = [...Object.keys(tf.resources), ...Object.keys(tf.data)].map((type) => type.split('_')[0] as string)
      for (const provider of new Set(used)) if (!(provider in tf.requiredProviders)) missing.push(`${rel(tf)}: ${provider}`)
    }
    expect(missing).toEqual([])
  })

  it('describes every output and marks secret ones sensitive', () => {
    const bad: string[] = []
    for (const tf of dirs) {
      for (const [name, o] of Object.entries(tf.outputs)) {
        if (typeof o.description !== 'string' || o.description.length < 10) bad.push(`${rel(tf)}: output ${name} has no description`)
        if (/(private_key|password|connection_uri|token)/.test(name) && o.sensitive !== true) bad.push(`${rel(tf)}: output ${name} is not sensitive`)
      }
    }
    expect(bad).toEqual([])
  })
})

describe('production environment', () => {
  const prod = () => byPath(PRODUCTION_DIR)

  it('calls every module under infra/modules, each from a directory that exists', () => {
    const called = Object.values(prod().modules).map((m) => m.source as string)
    for (const source of called) expect(existsSync(join(PRODUCTION_DIR, source)), source).toBe(true)
    const moduleDirs = readdirSync(MODULES_DIR).map((d) => `../../modules/${d}`)
    expect(called.sort()).toEqual(moduleDirs.sort())
  })

  it('passes each module every input it requires and none it does not declare', () => {
    const bad: string[] = []
    for (const [callName, call] of Object.entries(prod().modules)) {
      const child = byPath(join(PRODUCTION_DIR, call.source as string))
      const args = Object.keys(call).filter((k) => !['source', 'depends_on', 'providers', 'count', 'for_each', 'version'].includes(k))
      for (const arg of args) if (!(arg in child.variables)) bad.push(`module.${callName}: unknown input ${arg}`)
      for (const [name, v] of Object.entries(child.variables)) {
        if (!('default' in v) && !args.includes(name)) bad.push(`module.${callName}: missing required input ${name}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('references only outputs the called modules declare', () => {
    const bad: string[] = []
    const text = prod().text
    for (const m of text.matchAll(/\bmodule\.([a-z0-9_]+)\.([a-z0-9_]+)/g)) {
      const call = prod().modules[m[1] as string]
      if (!call) { bad.push(`module.${m[1]} is not called`); continue }
      const child = byPath(join(PRODUCTION_DIR, call.source as string))
      if (!((m[2] as string) in child.outputs)) bad.push(`module.${m[1]}.${m[2]} is not an output`)
    }
    expect(bad).toEqual([])
  })

  it('attaches the cluster to the network and the firewall, after the subnet exists', () => {
    const k3s = prod().modules.k3s as Block
    expect(k3s.network_id).toBe('${module.network.network_id}')
    expect(k3s.nodes_subnet_ip_range).toBe('${module.network.nodes_subnet_ip_range}')
    expect(k3s.firewall_id).toBe('${module.firewall.firewall_id}')
    expect(k3s.depends_on).toContain('${module.network}')
  })

  it('feeds the firewall Cloudflare ranges from the one ranges module and SSH from var.admin_cidrs', () => {
    const fw = prod().modules.firewall as Block
    expect(fw.cloudflare_ipv4_cidrs).toBe('${module.cloudflare_ip_ranges.ipv4_cidrs}')
    expect(fw.cloudflare_ipv6_cidrs).toBe('${module.cloudflare_ip_ranges.ipv6_cidrs}')
    expect(fw.admin_cidrs).toBe('${var.admin_cidrs}')
  })

  it('points the wildcard DNS record at the cluster origin and shares the edge secret with the Worker', () => {
    const cf = prod().modules.cloudflare as Block
    expect(cf.origin_ipv4).toBe('${module.k3s.server_ipv4}')
    expect(cf.zone_name).toBe('${var.base_domain}')
    expect(cf.edge_signing_secret).toBe('${var.edge_signing_secret}')
  })

  it('configures every provider from a sensitive variable', () => {
    const p = prod().providers
    expect(p.hcloud?.token).toBe('${var.hcloud_token}')
    expect(p.cloudflare?.api_token).toBe('${var.cloudflare_api_token}')
    expect(p.neon?.api_key).toBe('${var.neon_api_key}')
    for (const v of ['hcloud_token', 'cloudflare_api_token', 'neon_api_key', 'edge_signing_secret']) {
      expect(prod().variables[v]?.sensitive, v).toBe(true)
    }
  })

  it('outputs the kubeconfig command, the origin address and a sensitive Neon connection URI', () => {
    const o = prod().outputs
    expect(o.kubeconfig_command?.value).toBe('${module.k3s.kubeconfig_command}')
    expect(o.origin_ipv4?.value).toBe('${module.k3s.server_ipv4}')
    expect(o.neon_connection_uri?.value).toBe('${module.neon.connection_uri}')
    expect(o.neon_connection_uri?.sensitive).toBe(true)
    expect(o.origin_private_key_pem?.sensitive).toBe(true)
  })

  it('ships a tfvars example that sets only declared variables, every required one, with placeholder secrets', () => {
    const text = readFileSync(join(PRODUCTION_DIR, 'terraform.tfvars.example'), 'utf8')
    const keys = [...text.matchAll(/^([a-z0-9_]+)\s*=/gm)].map((m) => m[1] as string)
    const vars = prod().variables
    expect(keys.filter((k) => !(k in vars))).toEqual([])
    const required = Object.entries(vars).filter(([, v]) => !('default' in v)).map(([k]) => k)
    expect(required.filter((k) => !keys.includes(k))).toEqual([])
    for (const secret of Object.keys(vars).filter((k) => vars[k]?.sensitive === true)) {
      expect(text, secret).toMatch(new RegExp(`^${secret}\\s*=\\s*"<[^"]+>"`, 'm'))
    }
  })
})

describe('hetzner-network module', () => {
  it('creates a private network and a cloud subnet inside it', () => {
    const tf = mod('hetzner-network')
    expect(resource(tf, 'hcloud_network', 'this').ip_range).toBe('${var.ip_range}')
    const subnet = resource(tf, 'hcloud_network_subnet', 'nodes')
    expect(subnet.network_id).toBe('${hcloud_network.this.id}')
    expect(subnet.type).toBe('cloud')
  })
})

describe('hetzner-firewall module', () => {
  const rules = () => {
    const tf = mod('hetzner-firewall')
    const fw = resource(tf, 'hcloud_firewall', 'nodes')
    const resolve = (expr: unknown): unknown => {
      const local = typeof expr === 'string' ? /^\$\{local\.([a-z0-9_]+)\}$/.exec(expr) : null
      return local ? tf.locals[local[1] as string] : expr
    }
    return blocks(fw, 'rule').map((r): Block => ({ ...r, source_ips: resolve(r.source_ips) }))
  }
  const covers = (port: unknown, n: number) => {
    if (port === undefined || port === 'any') return true
    const [lo, hi] = String(port).split('-').map(Number)
    return n >= (lo as number) && n <= (hi ?? lo as number)
  }

  it('admits HTTP and HTTPS only from the Cloudflare IPv4 and IPv6 ranges', () => {
    for (const port of [80, 443]) {
      const admitting = rules().filter((r) => r.direction === 'in' && (r.protocol === 'tcp' || r.protocol === 'udp') && covers(r.port, port))
      expect(admitting, `rules admitting ${port}`).toHaveLength(1)
      expect(admitting[0]?.source_ips).toBe('${concat(var.cloudflare_ipv4_cidrs, var.cloudflare_ipv6_cidrs)}')
    }
  })

  it('admits SSH and the Kubernetes API only from the admin CIDR variable', () => {
    for (const port of [22, 6443]) {
      const admitting = rules().filter((r) => r.direction === 'in' && r.protocol === 'tcp' && covers(r.port, port))
      expect(admitting, `rules admitting ${port}`).toHaveLength(1)
      expect(admitting[0]?.source_ips).toBe('${var.admin_cidrs}')
    }
  })

  it('opens no inbound port to a literal address list, let alone the whole internet', () => {
    for (const r of rules()) {
      expect(r.direction).toBe('in')
      expect(typeof r.source_ips, JSON.stringify(r)).toBe('string')
      expect(String(r.source_ips)).toMatch(/^\$\{/)
      expect(String(r.source_ips)).not.toMatch(/0\.0\.0\.0\/0|::\/0/)
    }
    expect(rules().map((r) => `${r.protocol}:${r.port ?? ''}`).sort()).toEqual(['icmp:', 'tcp:22', 'tcp:443', 'tcp:6443', 'tcp:80'])
  })

  it('rejects 0.0.0.0/0 as an admin or Cloudflare range', () => {
    const v = mod('hetzner-firewall').variables
    for (const name of ['admin_cidrs', 'cloudflare_ipv4_cidrs']) {
      expect(JSON.stringify(blocks(v[name] as Block, 'validation')), name).toContain('0.0.0.0/0')
    }
    expect(JSON.stringify(blocks(v.admin_cidrs as Block, 'validation'))).toContain('::/0')
  })
})

describe('cloudflare-ip-ranges module', () => {
  const isCidr = (c: string) => /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(c) || /^[0-9a-f:]+::\/\d{1,3}$/.test(c)

  it('commits the published Cloudflare ranges as the fallback list', () => {
    const locals = mod('cloudflare-ip-ranges').locals
    const v4 = locals.fallback_ipv4_cidrs as string[]
    const v6 = locals.fallback_ipv6_cidrs as string[]
    expect(v4).toHaveLength(15)
    expect(v6).toHaveLength(7)
    expect(v4).toEqual(expect.arrayContaining(['173.245.48.0/20', '104.16.0.0/13', '172.64.0.0/13', '131.0.72.0/22']))
    expect(v6).toEqual(expect.arrayContaining(['2400:cb00::/32', '2606:4700::/32', '2a06:98c0::/29']))
    for (const c of [...v4, ...v6]) expect(isCidr(c), c).toBe(true)
    expect(new Set(v4).size + new Set(v6).size).toBe(22)
  })

  it('prefers the cloudflare_ip_ranges data source and falls back to the committed list', () => {
    const tf = mod('cloudflare-ip-ranges')
    expect(tf.data.cloudflare_ip_ranges?.published?.count).toBe('${var.use_live_ranges ? 1 : 0}')
    expect(String(tf.locals.live_ipv4_cidrs)).toContain('data.cloudflare_ip_ranges.published[0].ipv4_cidr_blocks')
    expect(String(tf.locals.ipv4_cidrs)).toContain('local.fallback_ipv4_cidrs')
    expect(String(tf.locals.ipv6_cidrs)).toContain('local.fallback_ipv6_cidrs')
    expect(tf.outputs.ipv4_cidrs?.value).toBe('${local.ipv4_cidrs}')
    expect(tf.outputs.all_cidrs?.value).toBe('${concat(local.ipv4_cidrs, local.ipv6_cidrs)}')
  })
})

describe('k3s-cluster module', () => {
  const tf = () => mod('k3s-cluster')
  const template = (name: string) => readFileSync(join(MODULES_DIR, 'k3s-cluster', 'templates', name), 'utf8')
  /** A template with its directives dropped and interpolations replaced, for YAML parsing. */
  const renderPlaceholder = (text: string) =>
    text.split('\n').filter((l) => !/^\s*%\{/.test(l)).join('\n').replace(/\$\{[^}]*\}/g, 'PLACEHOLDER')

  it('attaches the server and every worker to the network and the firewall', () => {
    for (const name of ['server', 'worker']) {
      const server = resource(tf(), 'hcloud_server', name)
      expect(server.firewall_ids, name).toEqual(['${var.firewall_id}'])
      expect(blocks(server, 'network')[0]?.network_id, name).toBe('${var.network_id}')
      expect(server.ssh_keys, name).toEqual(['${hcloud_ssh_key.admin.id}'])
    }
    expect(resource(tf(), 'hcloud_server', 'worker').count).toBe('${var.worker_count}')
  })

  it('provisions every node by cloud-init rendered from a template that exists', () => {
    for (const name of ['server', 'worker']) {
      const userData = String(resource(tf(), 'hcloud_server', name).user_data)
      const m = /templatefile\("\$\{path\.module\}\/templates\/([^"]+)"/.exec(userData)
      expect(m, name).not.toBeNull()
      expect(existsSync(join(MODULES_DIR, 'k3s-cluster', 'templates', m?.[1] as string)), m?.[1]).toBe(true)
    }
    for (const [, expr] of String(tf().text).matchAll(/templatefile\("\$\{path\.module\}\/([^"]+)"/g)) {
      expect(existsSync(join(MODULES_DIR, 'k3s-cluster', expr as string)), expr).toBe(true)
    }
  })

  it('passes every template exactly the variables it interpolates', () => {
    const calls = [...tf().text.matchAll(/templatefile\("\$\{path\.module\}\/templates\/([^"]+)",\s*\{([\s\S]*?)\}\)/g)]
    expect(calls.length).toBeGreaterThanOrEqual(5)
    for (const [, file, body] of calls) {
      const passed = new Set([...(body as string).matchAll(/^\s*([a-z_][a-z0-9_]*)\s*=/gm)].map((m) => m[1] as string))
      const text = template(file as string)
      const loopVars = new Set([...text.matchAll(/%\{\s*for\s+([a-z_0-9]+)(?:\s*,\s*([a-z_0-9]+))?\s+in\s+([a-z_0-9]+)/g)].flatMap((m) => [m[1], m[2]]).filter(Boolean) as string[])
      const used = new Set([
        ...[...text.matchAll(/\$\{\s*([a-z_][a-z0-9_]*)\b(?!\s*\()/g)].map((m) => m[1] as string),
        ...[...text.matchAll(/\$\{\s*[a-z0-9_]+\(([a-z_][a-z0-9_]*)\)/g)].map((m) => m[1] as string),
        ...[...text.matchAll(/%\{\s*for\s+[^%]*?\s+in\s+([a-z_0-9]+)/g)].map((m) => m[1] as string),
      ].filter((v) => !loopVars.has(v)))
      expect([...used].sort(), file).toEqual([...passed].sort())
    }
  })

  it('renders both cloud-init templates to cloud-config YAML that installs K3s', () => {
    for (const name of ['server-cloud-init.yaml.tftpl', 'worker-cloud-init.yaml.tftpl']) {
      const text = template(name)
      expect(text.startsWith('#cloud-config\n'), name).toBe(true)
      const doc = parseYaml(renderPlaceholder(text)) as { write_files: { path: string; content: string }[]; runcmd: string[][] }
      const installer = doc.write_files.find((f) => f.path === '/usr/local/sbin/myintell-install-k3s')
      expect(installer?.content, name).toContain('https://get.k3s.io')
      expect(installer?.content, name).toContain('INSTALL_K3S_VERSION="PLACEHOLDER"')
      expect(doc.runcmd.map((c) => c.join(' '))).toContain('/usr/local/sbin/myintell-install-k3s')
    }
  })

  it('installs the server with its bundled Traefik and joins workers to it over the private network', () => {
    const server = template('server-cloud-init.yaml.tftpl')
    expect(server).toContain('INSTALL_K3S_EXEC="server"')
    expect(server).not.toMatch(/disable[^\n]*traefik/)
    const worker = template('worker-cloud-init.yaml.tftpl')
    expect(worker).toContain('INSTALL_K3S_EXEC="agent"')
    expect(worker).toContain('server: "https://${server_private_ip}:6443"')
    expect(String(resource(tf(), 'hcloud_server', 'worker').user_data)).toContain('server_private_ip = local.server_private_ip')
  })

  it('writes KEDA, cert-manager and sealed-secrets HelmChart manifests to the K3s manifests directory', () => {
    expect(tf().locals.manifests_dir).toBe('/var/lib/rancher/k3s/server/manifests')
    expect(template('server-cloud-init.yaml.tftpl')).toMatch(/%\{ for file_name, content in manifests ~\}\n\s+- path: \$\{manifests_dir\}\/\$\{file_name\}/)
    const manifests = tf().locals.platform_manifests as unknown as string
    const charts: Record<string, string> = {}
    for (const [, file] of String(JSON.stringify(manifests)).matchAll(/templates\/([a-z-]+-helmchart\.yaml\.tftpl)/g)) {
      const doc = parseYaml(renderPlaceholder(template(file as string))) as { kind: string; metadata: { namespace: string }; spec: { chart: string; repo: string; version: string } }
      expect(doc.kind).toBe('HelmChart')
      expect(doc.metadata.namespace).toBe('kube-system')
      expect(doc.spec.version).toBe('PLACEHOLDER')
      charts[doc.spec.chart] = doc.spec.repo
    }
    expect(charts).toEqual({
      keda: 'https://kedacore.github.io/charts',
      'cert-manager': 'https://charts.jetstack.io',
      'sealed-secrets': 'https://bitnami-labs.github.io/sealed-secrets',
    })
  })

  it('makes Traefik demand Cloudflare origin-pull client certificates and serve the origin certificate', () => {
    const docs = renderPlaceholder(template('origin-tls.yaml.tftpl')).split(/^---$/m).map((d) => parseYaml(d) as Block)
    const option = docs.find((d) => d.kind === 'TLSOption') as { metadata: { name: string }; spec: { clientAuth: { secretNames: string[]; clientAuthType: string } } }
    expect(option.metadata.name).toBe('default')
    expect(option.spec.clientAuth).toEqual({ secretNames: ['cloudflare-origin-pull-ca'], clientAuthType: 'RequireAndVerifyClientCert' })
    expect(template('server-cloud-init.yaml.tftpl')).toContain('name: cloudflare-origin-pull-ca')
    const store = docs.find((d) => d.kind === 'TLSStore') as { metadata: { name: string }; spec: { defaultCertificate: { secretName: string } } }
    expect(store.metadata.name).toBe('default')
    expect(store.spec.defaultCertificate.secretName).toBe('PLACEHOLDER')
    expect(tf().variables.origin_cert_secret_name?.default).toBe('cloudflare-origin-cert')
  })

  it('leaves Traefik\'s HelmChartConfig to manifests/ so the two never overwrite each other', () => {
    const written = String(JSON.stringify(tf().locals.platform_manifests))
    expect(written).not.toMatch(/traefik/i)
  })

  it('keeps pods away from the metadata service that serves the join token', () => {
    for (const name of ['server-cloud-init.yaml.tftpl', 'worker-cloud-init.yaml.tftpl']) {
      expect(template(name)).toContain('-d 169.254.169.254/32 -j DROP')
    }
  })

  it('outputs a kubeconfig command that rewrites the API address to the server', () => {
    const cmd = String(tf().outputs.kubeconfig_command?.value)
    expect(cmd).toContain('/etc/rancher/k3s/k3s.yaml')
    expect(cmd).toContain("sed 's/127.0.0.1/${hcloud_server.server.ipv4_address}/'")
  })
})

describe('cloudflare module', () => {
  const tf = () => mod('cloudflare')
  const wrangler = () => readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8')

  it('creates a proxied wildcard record in the zone pointing at the origin', () => {
    const rec = resource(tf(), 'cloudflare_record', 'wildcard_ipv4')
    expect(rec).toMatchObject({ zone_id: '${data.cloudflare_zone.this.id}', name: '*', type: 'A', content: '${var.origin_ipv4}', proxied: true })
    expect(tf().data.cloudflare_zone?.this?.name).toBe('${var.zone_name}')
  })

  it('keeps third-party CNAMEs (Clerk) out of the proxy so the Worker never sees them', () => {
    expect(resource(tf(), 'cloudflare_record', 'dns_only')).toMatchObject({ for_each: '${var.dns_only_cnames}', type: 'CNAME', proxied: false })
    for (const name of ['wildcard_ipv4', 'wildcard_ipv6', 'internal']) expect(resource(tf(), 'cloudflare_record', name).proxied, name).toBe(true)
  })

  it('routes *.<zone>/* in the same zone to the edge Worker script', () => {
    const route = resource(tf(), 'cloudflare_workers_route', 'edge')
    expect(route).toMatchObject({ zone_id: '${data.cloudflare_zone.this.id}', pattern: '*.${var.zone_name}/*', script_name: '${var.worker_script_name}' })
  })

  it('sets EDGE_SIGNING_SECRET on that Worker from a sensitive variable', () => {
    const secret = resource(tf(), 'cloudflare_workers_secret', 'edge_signing_secret')
    expect(secret).toMatchObject({ name: 'EDGE_SIGNING_SECRET', script_name: '${var.worker_script_name}', secret_text: '${var.edge_signing_secret}' })
    expect(tf().variables.edge_signing_secret?.sensitive).toBe(true)
  })

  it('lets the origin accept only Cloudflare: Authenticated Origin Pulls on, SSL strict with an Origin CA certificate', () => {
    expect(resource(tf(), 'cloudflare_authenticated_origin_pulls', 'zone')).toMatchObject({ zone_id: '${data.cloudflare_zone.this.id}', enabled: true })
    expect(blocks(resource(tf(), 'cloudflare_zone_settings_override', 'tls'), 'settings')[0]?.ssl).toBe('strict')
    expect(resource(tf(), 'cloudflare_origin_ca_certificate', 'origin').csr).toBe('${tls_cert_request.origin.cert_request_pem}')
  })

  it('names the script and internal hostnames the way wrangler.toml deploys and calls them', () => {
    const name = /^name\s*=\s*"([^"]+)"/m.exec(wrangler())?.[1]
    expect(tf().variables.worker_script_name?.default).toBe(`${name}-production`)
    const prodVars = wrangler().split('[env.production.vars]')[1] ?? ''
    const hosts = ['ORIGIN_URL', 'CLUSTER_API_URL'].map((k) => new URL(new RegExp(`^${k}\\s*=\\s*"([^"]+)"`, 'm').exec(prodVars)?.[1] ?? 'http://missing').hostname)
    const zone = byPath(PRODUCTION_DIR).variables.base_domain?.default as string
    expect(hosts).toEqual((tf().variables.internal_hostnames?.default as string[]).map((h) => `${h}.${zone}`))
  })
})

describe('neon module', () => {
  it('creates the project and the platform database owned by its own role on the default branch', () => {
    const tf = mod('neon')
    expect(resource(tf, 'neon_project', 'this').name).toBe('${var.project_name}')
    for (const [type, name] of [['neon_role', 'platform'], ['neon_database', 'platform']] as const) {
      expect(resource(tf, type, name)).toMatchObject({ project_id: '${neon_project.this.id}', branch_id: '${neon_project.this.default_branch_id}' })
    }
    expect(resource(tf, 'neon_database', 'platform').owner_name).toBe('${neon_role.platform.name}')
    expect(tf.outputs.connection_uri?.sensitive).toBe(true)
    expect(String(tf.outputs.connection_uri?.value)).toContain('${neon_role.platform.password}@${neon_project.this.database_host}/${neon_database.platform.name}')
  })
})
