// Printing results: aligned tables for people, the API's JSON unchanged for scripts (--json).

import type { FlagValues, Io } from './command.ts'

export const wantsJson = (flags: FlagValues): boolean => flags.json === true

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function printTable(io: Io, columns: string[], rows: Array<Array<string | number | null | undefined>>, empty = '(none)'): void {
  if (rows.length === 0) {
    io.stdout.write(`${empty}\n`)
    return
  }
  const cells = [columns, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))))]
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)))
  for (const row of cells) io.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`)
}

/** `key: value` lines for a single object. */
export function printFields(io: Io, fields: Array<[string, string | number | null | undefined]>): void {
  const width = Math.max(...fields.map(([name]) => name.length))
  for (const [name, value] of fields) io.stdout.write(`${`${name}:`.padEnd(width + 1)} ${value === null || value === undefined || value === '' ? '-' : value}\n`)
}
