// Reads a Markdown configuration table: the variables each row names (the backticked upper-case names of its
// `variable` / `env` / `var` column), its `default` cell and the row's whole text, with backticks dropped.

export interface TableRow {
  names: string[]
  /** The default cell without backticks; '' when the table has no default column. */
  default: string
  /** Every cell of the row, without backticks. */
  text: string
  /** The cell of a `0 means` column; '' when there is none. */
  zero: string
}

const NAME_HEADERS = ['variable', 'env', 'var']
const VARIABLE = /`([A-Z][A-Z0-9_]*)`/g

/** Cells of one table line, split on pipes that are not escaped (`\|`). */
function cells(line: string): string[] {
  return line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'))
}

const plain = (cell: string) => cell.replace(/`/g, '')

/** The rows of the first table after the line that starts with `after`; throws when there is none. */
export function readmeTable(markdown: string, after: string): TableRow[] {
  const lines = markdown.split('\n')
  const start = lines.findIndex((line) => line.startsWith(after))
  const headerAt = start < 0 ? -1 : lines.findIndex((line, i) => i > start && line.trim().startsWith('|'))
  // The table belongs to `after` only if no other heading or bold title stands between them.
  const between = headerAt < 0 ? [] : lines.slice(start + 1, headerAt)
  if (headerAt < 0 || between.some((line) => /^(#|\*\*)/.test(line.trim()))) throw new Error(`no table after "${after}"`)
  const header = cells(lines[headerAt]!).map((cell) => cell.toLowerCase())
  const nameColumn = header.findIndex((cell) => NAME_HEADERS.some((name) => cell === name || cell.startsWith(`${name} `)))
  if (nameColumn < 0) throw new Error(`the table after "${after}" has no variable column: ${header.join(' | ')}`)
  const defaultColumn = header.findIndex((cell) => cell.startsWith('default'))
  const zeroColumn = header.findIndex((cell) => cell.startsWith('0 means'))
  const rows: TableRow[] = []
  for (const line of lines.slice(headerAt + 2)) {
    if (!line.trim().startsWith('|')) break
    const row = cells(line)
    const nameCell = row[nameColumn] ?? ''
    // A binding is not an environment variable (TENANT_RATE_LIMIT in the edge's table).
    if (nameCell.includes('(binding)')) continue
    const names = [...nameCell.matchAll(VARIABLE)].map((match) => match[1]!)
    if (names.length === 0) continue
    rows.push({
      names,
      default: defaultColumn < 0 ? '' : plain(row[defaultColumn] ?? ''),
      text: row.map(plain).join(' | '),
      zero: zeroColumn < 0 ? '' : plain(row[zeroColumn] ?? ''),
    })
  }
  return rows
}
