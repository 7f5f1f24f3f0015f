// Opaque cursors and page-size parsing shared by the list endpoints.
import { ProblemError } from '../../../wire/problem.ts'

export const DEFAULT_PAGE_SIZE = 50
export const MAX_PAGE_SIZE = 200

export function pageSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_SIZE
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new ProblemError({
      status: 400, code: 'invalid-limit', title: 'Invalid limit',
      detail: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`,
    })
  }
  return n
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function decodeCursor<T>(raw: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (raw === undefined) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
    if (check(value)) return value
  } catch { /* fall through */ }
  throw new ProblemError({ status: 400, code: 'invalid-cursor', title: 'Invalid cursor', detail: 'The cursor is not one this API returned.' })
}
