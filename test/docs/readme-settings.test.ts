// The README configuration tables and the settings schemas say the same: every variable a schema declares has a
// row, every row names a declared variable, a row's default is the schema's, and a variable that accepts 0 says what
// 0 means. Derived from the schemas, so a new setting without a row fails here. wrangler.toml sets only declared vars.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { unstable_readConfig } from 'wrangler'
import { RUNTIME_SETTINGS } from '../../agent/src/config/env.ts'
import { CLI_SETTINGS } from '../../cli/src/settings.ts'
import { CLUSTER_API_SETTINGS } from '../../cluster-api/src/config.ts'
import { KUBERNETES_DRIVER_ENV } from '../../cluster-api/src/drivers/kubernetes/env.ts'
import { LOCAL_DRIVER_ENV } from '../../cluster-api/src/drivers/local/env.ts'
import { EDGE_SETTINGS } from '../../edge/src/settings.ts'
import { NPM_START_SETTINGS } from '../../scripts/settings.ts'
import type { SettingDoc } from '../../wire/settings.ts'
import { readmeTable, type TableRow } from './readme-table.ts'

const root = join(import.meta.dirname, '..', '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')
const idleTimeout = CLUSTER_API_SETTINGS.docs.filter((doc) => doc.name === 'MYINTELL_IDLE_TIMEOUT_MS')
const clusterApi = [...CLUSTER_API_SETTINGS.docs, ...LOCAL_DRIVER_ENV.docs, ...KUBERNETES_DRIVER_ENV.docs]

interface TableCase {
  readme: string
  /** Text just above the table (a heading or a bold line) that tells it from the file's other tables. */
  after: string
  /** Every one of these needs a row. */
  schema: readonly SettingDoc[]
  /** Declared elsewhere but rightly listed here too. */
  alsoAllowed?: readonly SettingDoc[]
}

const tables: TableCase[] = [
  { readme: 'README.md', after: '**Platform (`npm start`, the cluster-api)**', schema: [...clusterApi, ...NPM_START_SETTINGS.docs] },
  { readme: 'README.md', after: '**Edge Worker', schema: EDGE_SETTINGS.docs },
  { readme: 'README.md', after: '**Agent runtime**', schema: RUNTIME_SETTINGS.docs },
  { readme: 'README.md', after: '**CLI**', schema: CLI_SETTINGS.docs },
  { readme: 'cluster-api/README.md', after: '## Configuration', schema: clusterApi },
  { readme: 'cluster-api/src/drivers/local/README.md', after: '## Configuration', schema: LOCAL_DRIVER_ENV.docs, alsoAllowed: idleTimeout },
  { readme: 'edge/README.md', after: '## Configuration', schema: EDGE_SETTINGS.docs },
  { readme: 'agent/README.md', after: '## Process contract', schema: RUNTIME_SETTINGS.docs },
  { readme: 'cli/README.md', after: '## Flags and environment', schema: CLI_SETTINGS.docs },
]

/** One README row may document several variables, and one variable may have several schemas' defaults (LOG_LEVEL). */
function rowsByName(rows: readonly TableRow[]): Map<string, TableRow> {
  const byName = new Map<string, TableRow>()
  for (const row of rows) for (const name of row.names) byName.set(name, row)
  return byName
}

/** A `0 means` cell, or a standalone 0 in the row ("0 = a free port", "`0`: no bound"). */
const saysWhatZeroMeans = (row: TableRow) => row.zero !== '' || /(^|[^\w.])0([^\w.]|$)/.test(row.text)

describe.each(tables)('$readme, the table after "$after"', ({ readme, after, schema, alsoAllowed = [] }) => {
  // Read in each test, so a missing table fails the tests rather than the file's collection.
  const table = () => {
    const rows = readmeTable(read(readme), after)
    return { rows, byName: rowsByName(rows) }
  }

  it('has a row for every variable the schema declares', () => {
    const { byName } = table()
    expect(schema.map((doc) => doc.name).filter((name) => !byName.has(name))).toEqual([])
  })

  it('names only declared variables', () => {
    const { rows } = table()
    const declared = new Set([...schema, ...alsoAllowed].map((doc) => doc.name))
    expect(rows.flatMap((row) => row.names).filter((name) => !declared.has(name))).toEqual([])
  })

  it('gives each variable the schema\'s default', () => {
    const { byName } = table()
    const wrong = [...schema, ...alsoAllowed]
      .filter((doc) => doc.default !== undefined && byName.has(doc.name) && !byName.get(doc.name)!.default.includes(doc.default))
      .map((doc) => `${doc.name}: the schema says ${doc.default}, the table "${byName.get(doc.name)!.default}"`)
    expect(wrong).toEqual([])
  })

  it('says what 0 means for every variable that accepts it', () => {
    const { byName } = table()
    const silent = [...schema, ...alsoAllowed]
      .filter((doc) => doc.zero !== undefined && byName.has(doc.name) && !saysWhatZeroMeans(byName.get(doc.name)!))
      .map((doc) => `${doc.name} (0: ${doc.zero})`)
    expect(silent).toEqual([])
  })
})

describe('wrangler.toml', () => {
  it('sets only variables the edge declares, in every environment', () => {
    const declared = new Set(EDGE_SETTINGS.docs.map((doc) => doc.name))
    for (const env of [undefined, 'production']) {
      const config = unstable_readConfig({ config: join(root, 'wrangler.toml'), env }, { hideWarnings: true })
      const vars = Object.keys(config.vars)
      expect(vars.length, `vars of ${env ?? 'the default environment'}`).toBeGreaterThan(0)
      expect(vars.filter((name) => !declared.has(name))).toEqual([])
    }
  })
})

describe('the table reader', () => {
  it('reads names, defaults and escaped pipes, and fails loudly when the table is missing', () => {
    const markdown = [
      '## Settings', '', '| variable | default | meaning |', '|---|---|---|',
      '| `PORT` / `HOST` | `8788` / `127.0.0.1` | where \\| it listens; 0 = a free port |', '| `TENANT_RATE_LIMIT` (binding) | 2,000 | not a variable |', '',
    ].join('\n')
    const [row, ...rest] = readmeTable(markdown, '## Settings')
    expect(row).toMatchObject({ names: ['PORT', 'HOST'], default: '8788 / 127.0.0.1', zero: '' })
    expect(row?.text).toContain('where | it listens')
    expect(rest).toEqual([])
    expect(() => readmeTable(markdown, '## Elsewhere')).toThrow(/no table after "## Elsewhere"/)
    expect(() => readmeTable(`## Empty\n\n## Settings\n${markdown}`, '## Empty')).toThrow(/no table after "## Empty"/)
  })
})
