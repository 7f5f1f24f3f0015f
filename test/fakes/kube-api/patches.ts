// Patch formats the fake accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and field paths for
// server-side apply bookkeeping. Lists are atomic here (a simplification of SSA's associative lists).

import { isDeepStrictEqual } from 'node:util'
import { statusFor } from './status.ts'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function clone<T>(value: T): T {
  return structuredClone(value)
}

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch)
  const result: JsonObject = isObject(target) ? clone(target) : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

/** Deep merge for apply: objects merge, lists and scalars from `overlay` replace. */
export function deepMerge(base: Json | undefined, overlay: Json): Json {
  if (!isObject(overlay) || !isObject(base)) return clone(overlay)
  const result: JsonObject = clone(base)
  for (const [key, value] of Object.entries(overlay)) result[key] = deepMerge(result[key], value)
  return result
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~')
}

export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

function pointerTokens(pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw statusFor('BadRequest', `invalid JSON pointer "${pointer}"`)
  return pointer.slice(1).split('/').map(unescapeToken)
}

function getAt(doc: Json, tokens: string[]): Json | undefined {
  let current: Json | undefined = doc
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[Number(token)]
    else if (isObject(current)) current = current[token]
    else return undefined
  }
  return current
}

function parentAndKey(doc: Json, pointer: string): { parent: Json; key: string } {
  const tokens = pointerTokens(pointer)
  const key = tokens.pop()
  if (key === undefined) throw statusFor('BadRequest', 'JSON patch cannot target the whole document')
  const parent = getAt(doc, tokens)
  if (parent === undefined || (typeof parent !== 'object') || parent === null) {
    throw statusFor('Invalid', `JSON patch path "${pointer}": parent does not exist`)
  }
  return { parent, key }
}

function removeAt(doc: Json, pointer: string): Json {
  const { parent, key } = parentAndKey(doc, pointer)
  if (Array.isArray(parent)) {
    const index = Number(key)
    if (!(index >= 0 && index < parent.length)) throw statusFor('Invalid', `JSON patch remove "${pointer}": no such index`)
    return parent.splice(index, 1)[0] as Json
  }
  const object = parent as JsonObject
  if (!(key in object)) throw statusFor('Invalid', `JSON patch remove "${pointer}": no such field`)
  const removed = object[key] as Json
  delete object[key]
  return removed
}

function addAt(doc: Json, pointer: string, value: Json, replace: boolean): void {
  const { parent, key } = parentAndKey(doc, pointer)
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key)
    if (!(index >= 0 && index <= parent.length)) throw statusFor('Invalid', `JSON patch "${pointer}": index out of range`)
    if (replace) parent[index] = value
    else parent.splice(index, 0, value)
    return
  }
  const object = parent as JsonObject
  if (replace && !(key in object)) throw statusFor('Invalid', `JSON patch replace "${pointer}": no such field`)
  object[key] = value
}

interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test'
  path: string
  from?: string
  value?: Json
}

/** RFC 6902 on a copy of `doc`. */
export function jsonPatch(doc: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw statusFor('BadRequest', 'a JSON patch must be an array of operations')
  const result = clone(doc)
  for (const operation of operations as JsonPatchOperation[]) {
    switch (operation.op) {
      case 'add': addAt(result, operation.path, clone(operation.value ?? null), false); break
      case 'replace': addAt(result, operation.path, clone(operation.value ?? null), true); break
      case 'remove': removeAt(result, operation.path); break
      case 'move': addAt(result, operation.path, removeAt(result, operation.from ?? ''), false); break
      case 'copy': addAt(result, operation.path, clone(getAt(result, pointerTokens(operation.from ?? '')) ?? null), false); break
      case 'test':
        if (!isDeepStrictEqual(getAt(result, pointerTokens(operation.path)), operation.value)) {
          throw statusFor('Invalid', `JSON patch test failed at "${operation.path}"`)
        }
        break
      default: throw statusFor('BadRequest', `unknown JSON patch op "${String((operation as { op: unknown }).op)}"`)
    }
  }
  return result
}

/** Fields the server owns: never part of a manager's field set. */
const SERVER_FIELDS = new Set(['/apiVersion', '/kind', '/status', '/metadata/name', '/metadata/namespace', '/metadata/resourceVersion', '/metadata/uid', '/metadata/creationTimestamp', '/metadata/generation', '/metadata/managedFields'])

/** Leaf paths (JSON pointers) of `value`; lists and empty objects are leaves. */
export function leafPaths(value: Json, prefix = '', out = new Set<string>()): Set<string> {
  if (SERVER_FIELDS.has(prefix)) return out
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) leafPaths(child, `${prefix}/${escapeToken(key)}`, out)
  } else if (prefix !== '') {
    out.add(prefix)
  }
  return out
}

export function valueAt(doc: Json, path: string): Json | undefined {
  return getAt(doc, pointerTokens(path))
}

/** Deletes the field at `path` if present, then prunes parents left empty. */
export function deletePath(doc: Json, path: string): void {
  const tokens = pointerTokens(path)
  const chain: JsonObject[] = []
  let current: Json | undefined = doc
  for (const token of tokens.slice(0, -1)) {
    if (!isObject(current)) return
    chain.push(current)
    current = current[token]
  }
  if (!isObject(current)) return
  delete current[tokens[tokens.length - 1] as string]
  let child: JsonObject = current
  for (let i = chain.length - 1; i >= 0 && Object.keys(child).length === 0; i--) {
    const parent = chain[i] as JsonObject
    delete parent[tokens[i] as string]
    child = parent
  }
}

/** Paths whose value differs between `before` and `after` (changed, added or removed leaves). */
export function changedPaths(before: Json, after: Json): Set<string> {
  const changed = new Set<string>()
  const beforePaths = leafPaths(before)
  const afterPaths = leafPaths(after)
  for (const path of afterPaths) if (!isDeepStrictEqual(valueAt(before, path), valueAt(after, path))) changed.add(path)
  for (const path of beforePaths) if (!afterPaths.has(path)) changed.add(path)
  return changed
}

/** Renders a set of paths in the FieldsV1 format of managedFields (`{"f:spec":{"f:replicas":{}}}`). */
export function toFieldsV1(paths: Iterable<string>): JsonObject {
  const root: JsonObject = {}
  for (const path of paths) {
    let node = root
    for (const token of pointerTokens(path)) {
      const key = `f:${token}`
      if (!isObject(node[key])) node[key] = {}
      node = node[key] as JsonObject
    }
  }
  return root
}
