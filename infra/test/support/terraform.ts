// Loads the Terraform under infra/ as JSON (via @cdktf/hcl2json) so tests can assert on resources,
// variables, module calls and the references between them without a terraform binary.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from '@cdktf/hcl2json'

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)))
export const INFRA_DIR = join(REPO_ROOT, 'infra')
export const MODULES_DIR = join(INFRA_DIR, 'modules')
export const PRODUCTION_DIR = join(INFRA_DIR, 'environments', 'production')

export type Block = Record<string, unknown>

/** One Terraform module directory (a root or a child module), all of its .tf files merged. */
export interface TerraformDir {
  dir: string
  files: string[]
  /** resource type → resource name → block */
  resources: Record<string, Record<string, Block>>
  data: Record<string, Record<string, Block>>
  variables: Record<string, Block>
  outputs: Record<string, Block>
  modules: Record<string, Block>
  locals: Block
  /** provider local name → { source, version } */
  requiredProviders: Record<string, { source?: string; version?: string }>
  providers: Record<string, Block>
  /** The raw text of every .tf file, joined. */
  text: string
}

/** Every .tf file under dir, skipping .terraform working directories. */
export function listTfFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    if (name === '.terraform' || name === 'node_modules') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...listTfFiles(path))
    else if (name.endsWith('.tf')) out.push(path)
  }
  return out.sort()
}

/** Directories holding .tf files: every module and environment. */
export function listTerraformDirs(): string[] {
  return [...new Set(listTfFiles(INFRA_DIR).map((f) => resolve(f, '..')))].sort()
}

export async function parseTfFile(path: string): Promise<Record<string, unknown>> {
  return (await parse(relative(REPO_ROOT, path), readFileSync(path, 'utf8'))) as Record<string, unknown>
}

const first = (v: unknown): Block => (Array.isArray(v) ? (v[0] as Block) : (v as Block))

function mergeNamed(into: Record<string, Block>, from: unknown): void {
  for (const [name, body] of Object.entries((from ?? {}) as Record<string, unknown>)) into[name] = first(body)
}

function mergeTyped(into: Record<string, Record<string, Block>>, from: unknown): void {
  for (const [type, byName] of Object.entries((from ?? {}) as Record<string, unknown>)) {
    into[type] ??= {}
    mergeNamed(into[type], byName)
  }
}

export async function loadTerraformDir(dir: string): Promise<TerraformDir> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.tf')).sort().map((f) => join(dir, f))
  const tf: TerraformDir = {
    dir, files, resources: {}, data: {}, variables: {}, outputs: {}, modules: {}, locals: {},
    requiredProviders: {}, providers: {}, text: '',
  }
  for (const file of files) {
    const json = await parseTfFile(file)
    tf.text += `${readFileSync(file, 'utf8')}\n`
    mergeTyped(tf.resources, json.resource)
    mergeTyped(tf.data, json.data)
    mergeNamed(tf.variables, json.variable)
    mergeNamed(tf.outputs, json.output)
    mergeNamed(tf.modules, json.module)
    mergeNamed(tf.providers, json.provider)
    for (const locals of (json.locals ?? []) as Block[]) Object.assign(tf.locals, locals)
    for (const terraform of (json.terraform ?? []) as Block[]) {
      for (const rp of (terraform.required_providers ?? []) as Block[]) Object.assign(tf.requiredProviders, rp)
    }
  }
  return tf
}

export function resource(tf: TerraformDir, type: string, name: string): Block {
  const block = tf.resources[type]?.[name]
  if (!block) throw new Error(`${relative(REPO_ROOT, tf.dir)} has no resource ${type}.${name}`)
  return block
}

/** Nested blocks (rule, network, settings…) come as arrays of objects. */
export function blocks(parent: Block, key: string): Block[] {
  const v = parent[key]
  if (v === undefined) return []
  return (Array.isArray(v) ? v : [v]) as Block[]
}

/** Every `var.<name>` an expression text mentions. */
export function referencedVariables(text: string): Set<string> {
  return new Set([...text.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_-]*)/g)].map((m) => m[1] as string))
}
