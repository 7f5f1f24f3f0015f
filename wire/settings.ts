// Settings read from the environment: each variable declared once with its default, its unit and what 0 means,
// parsed once at start-up into a typed object. Every part builds its one schema from these readers.
//
// An unset or blank variable takes its default (a blank line in an .env file is not a value). Bad values are all
// reported at once, one line per variable, and a secret's value is never echoed.

/** Units a numeric setting can state; the README tables say the same. */
export type SettingUnit = 'ms' | 's' | 'bytes' | 'characters' | 'tokens' | 'count' | 'port'

/** What a README row must agree with: the variable, its default as written, its unit and what 0 means. */
export interface SettingDoc {
  name: string
  /** The default as the tables write it; undefined when there is none to write (unset, required, derived). */
  default: string | undefined
  unit: SettingUnit | undefined
  /** What 0 means, for a number that accepts it. */
  zero: string | undefined
  /** One line: what the variable does. */
  doc: string
}

export interface Setting<T> {
  readonly name: string
  readonly docs: SettingDoc
  /** The value for an unset variable (undefined: none). */
  readonly fallback: T
  /** Unset is an error. */
  readonly required: boolean
  /** The value for a set, non-blank variable; throws a message that completes "NAME: …". */
  parse(raw: string): T
}

/** Bad configuration: one line per variable. The process exits 78 (EX_CONFIG) on it. */
export class SettingsError extends Error {
  readonly issues: readonly string[]
  constructor(issues: readonly string[]) {
    super(`invalid configuration:\n${issues.map((issue) => `  ${issue}`).join('\n')}`)
    this.issues = issues
  }
}

type Env = Readonly<Record<string, unknown>>

interface Common<T> {
  /** Unset: undefined, or `required` refuses it. */
  default?: T
  /** Unset and no default is an error. */
  required?: boolean
  doc: string
  /** The default as the README writes it, where the value is not what a reader sets (derived, or a long path). */
  documentedDefault?: string
}

function define<T>(name: string, options: Common<T>, parse: (raw: string) => T, extra: Partial<SettingDoc> = {}): Setting<T> {
  if (options.required && options.default !== undefined) throw new Error(`${name}: a required setting has no default`)
  const written = options.documentedDefault ?? (options.default === undefined ? undefined : String(options.default))
  return {
    name,
    docs: { name, default: written, unit: undefined, zero: undefined, doc: options.doc, ...extra },
    fallback: options.default as T,
    required: options.required ?? false,
    parse,
  }
}

export interface IntegerOptions extends Common<number> {
  unit: SettingUnit
  /** Default 0. */
  min?: number
  max?: number
  /** What 0 means; required whenever 0 is accepted. */
  zero?: string
}

/** A whole number within [min, max] in `unit`. */
export function integer(name: string, options: IntegerOptions & ({ default: number } | { required: true })): Setting<number>
export function integer(name: string, options: IntegerOptions): Setting<number | undefined>
export function integer(name: string, options: IntegerOptions): Setting<number | undefined> {
  const min = options.min ?? 0
  const max = options.max ?? Number.MAX_SAFE_INTEGER
  if (min <= 0 && max >= 0 && options.zero === undefined) throw new Error(`${name}: a setting that accepts 0 must say what 0 means`)
  if (options.default !== undefined && (options.default < min || options.default > max)) throw new Error(`${name}: the default is out of range`)
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}-${max}`
  return define(name, options, (raw) => {
    const value = Number(raw)
    if (!/^[+-]?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(`must be an integer ${range}${options.unit === 'count' || options.unit === 'port' ? '' : ` (${options.unit})`}, got "${raw}"`)
    }
    return value
  }, { unit: options.unit, zero: min <= 0 ? options.zero : undefined })
}

/** A TCP port to listen on; 0 picks a free one. */
export function port(name: string, options: Common<number> & { default: number; zero?: string }): Setting<number> {
  return integer(name, { ...options, unit: 'port', min: 0, max: 65_535, zero: options.zero ?? 'a free port' })
}

const TRUE = ['1', 'true', 'yes', 'on']
const FALSE = ['0', 'false', 'no', 'off']

/** On or off: 1/true/yes/on or 0/false/no/off. */
export function flag(name: string, options: Common<boolean> & { default: boolean }): Setting<boolean>
export function flag(name: string, options: Common<boolean>): Setting<boolean | undefined>
export function flag(name: string, options: Common<boolean>): Setting<boolean | undefined> {
  return define(name, options, (raw) => {
    const value = raw.toLowerCase()
    if (TRUE.includes(value)) return true
    if (FALSE.includes(value)) return false
    throw new Error(`must be one of ${[...TRUE, ...FALSE].join(', ')}, got "${raw}"`)
  })
}

/** One of a fixed set of words. */
export function choice<const V extends string>(name: string, values: readonly V[], options: Common<V> & { default: V }): Setting<V>
export function choice<const V extends string>(name: string, values: readonly V[], options: Common<V>): Setting<V | undefined>
export function choice<const V extends string>(name: string, values: readonly V[], options: Common<V>): Setting<V | undefined> {
  return define(name, options, (raw) => {
    const value = raw.toLowerCase()
    if ((values as readonly string[]).includes(value)) return value as V
    throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`)
  })
}

export interface UrlOptions extends Common<string> {
  /** Accepted schemes without the colon. Default http, https. */
  protocols?: readonly string[]
  /** The value is a secret (a database URL with its password): never echoed. */
  secret?: boolean
}

/** An absolute URL, kept as written. */
export function url(name: string, options: UrlOptions & ({ default: string } | { required: true })): Setting<string>
export function url(name: string, options: UrlOptions): Setting<string | undefined>
export function url(name: string, options: UrlOptions): Setting<string | undefined> {
  const protocols = options.protocols ?? ['http', 'https']
  return define(name, options, (raw) => {
    const shown = options.secret ? '' : `, got "${raw}"`
    let parsed: URL
    try {
      parsed = new URL(raw)
    } catch {
      throw new Error(`must be an absolute URL${shown}`)
    }
    if (!protocols.includes(parsed.protocol.slice(0, -1))) throw new Error(`must be a ${protocols.join(' or ')} URL${shown}`)
    return raw
  })
}

export interface TextOptions extends Common<string> {
  minLength?: number
  /** Must start with this (e.g. `whsec_`). */
  prefix?: string
  /** Never echoed in an error. */
  secret?: boolean
  /** Why the length or prefix matters, appended to the error. */
  hint?: string
}

/** Free text (a host, a path, a token). */
export function text(name: string, options: TextOptions & ({ default: string } | { required: true })): Setting<string>
export function text(name: string, options: TextOptions): Setting<string | undefined>
export function text(name: string, options: TextOptions): Setting<string | undefined> {
  return define(name, options, (raw) => {
    const hint = options.hint ? ` (${options.hint})` : ''
    if (options.minLength !== undefined && raw.length < options.minLength) throw new Error(`must be at least ${options.minLength} characters${hint}`)
    if (options.prefix !== undefined && !raw.startsWith(options.prefix)) throw new Error(`must start with ${options.prefix}${hint}`)
    return raw
  })
}

/** A comma-separated list of words; blanks between commas are dropped. */
export function list(name: string, options: Common<readonly string[]> & { default: readonly string[] }): Setting<readonly string[]> {
  return define(name, { ...options, documentedDefault: options.documentedDefault ?? options.default.join(',') }, (raw) => {
    const items = raw.split(',').map((item) => item.trim()).filter(Boolean)
    if (items.length === 0) throw new Error('must name at least one item')
    return items
  })
}

/** A value with a parser of its own (a JSON document, say); `parse` throws a message that completes "NAME: …". */
export function custom<T>(name: string, options: Common<T> & { parse(raw: string): T }): Setting<T | undefined> {
  return define(name, options, options.parse)
}

// The variables an env var name can hold, as a schema's keys map to them.
type Schema = Record<string, Setting<unknown>>
export type SettingsOf<S extends Schema> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never }

export interface SettingsSchema<S extends Schema> {
  readonly settings: S
  /** Every variable with its documented default, unit and what 0 means (the README tables are checked against it). */
  readonly docs: readonly SettingDoc[]
  /** Parses every variable; throws one SettingsError naming each bad one. */
  parse(env: Env): SettingsOf<S>
  /** Like parse, but returns the issues instead of throwing (to combine sections into one error). */
  read(env: Env): { values: Partial<SettingsOf<S>>; issues: string[] }
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name]
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

/** A part's (or a driver's) settings: property name → the variable that sets it. */
export function settingsSchema<S extends Schema>(settings: S): SettingsSchema<S> {
  const names = new Set<string>()
  for (const setting of Object.values(settings)) {
    if (names.has(setting.name)) throw new Error(`${setting.name} is declared twice`)
    names.add(setting.name)
  }
  const read = (env: Env) => {
    const values: Record<string, unknown> = {}
    const issues: string[] = []
    for (const [key, setting] of Object.entries(settings)) {
      const value = raw(env, setting.name)
      if (value === undefined) {
        if (setting.required) issues.push(`${setting.name}: is required`)
        values[key] = setting.fallback
        continue
      }
      try {
        values[key] = setting.parse(value)
      } catch (error) {
        issues.push(`${setting.name}: ${(error as Error).message}`)
      }
    }
    return { values: values as Partial<SettingsOf<S>>, issues }
  }
  return {
    settings,
    docs: Object.values(settings).map((setting) => setting.docs),
    read,
    parse(env) {
      const { values, issues } = read(env)
      if (issues.length > 0) throw new SettingsError(issues)
      return values as SettingsOf<S>
    },
  }
}
