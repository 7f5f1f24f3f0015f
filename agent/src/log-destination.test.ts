// The runtime's log destination against real pipes (FIFOs): a reader that is gone or stuck never blocks the runtime.
import { execFileSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import pino from 'pino'
import { fdDestination } from './log-destination.ts'

const open: number[] = []
const dirs: string[] = []
afterEach(() => {
  for (const fd of open.splice(0)) {
    try { closeSync(fd) } catch { /* already closed by the test */ }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A named pipe with both ends open: the reader non-blocking (so opening does not wait), the writer as given. */
function fifo(writerFlags = constants.O_WRONLY): { reader: number; writer: number } {
  const dir = mkdtempSync(join(tmpdir(), 'agent-log-fifo-'))
  dirs.push(dir)
  const path = join(dir, 'pipe')
  execFileSync('mkfifo', [path])
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  const writer = openSync(path, writerFlags)
  open.push(reader, writer)
  return { reader, writer }
}

/** What the pipe holds now ('' when empty: the reader is non-blocking). */
function readAll(fd: number): string {
  const buf = Buffer.alloc(1 << 16)
  try {
    return buf.subarray(0, readSync(fd, buf)).toString()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return ''
    throw err
  }
}

describe('fdDestination', () => {
  it('writes each pino line as it is logged, with nothing left to flush', () => {
    const { reader, writer } = fifo()
    const log = pino({ base: null, timestamp: false }, fdDestination(writer))
    log.info({ event: 'one' }, 'first')
    log.warn('second')
    const lines = readAll(reader).trim().split('\n').map((l) => JSON.parse(l) as { msg: string })
    expect(lines.map((l) => l.msg)).toEqual(['first', 'second'])
  })

  it('stops logging, without throwing or blocking, once the reader is gone (EPIPE)', () => {
    const { reader, writer } = fifo()
    const destination = fdDestination(writer)
    const log = pino({ base: null }, destination)
    closeSync(reader)
    open.splice(open.indexOf(reader), 1)
    log.info('nobody reads this')
    expect(destination.broken).toBe(true)
    // fatal() flushes synchronously and pino flushes on exit: both must return.
    log.fatal('nor this')
    destination.flushSync()
    let flushed = false
    log.flush(() => { flushed = true })
    expect(flushed).toBe(true)
    expect(destination.dropped).toBe(2)
  })

  it('drops a line instead of stalling when a live reader does not read (full pipe)', () => {
    const { reader, writer } = fifo(constants.O_WRONLY | constants.O_NONBLOCK)
    const destination = fdDestination(writer)
    const line = `${'x'.repeat(1023)}\n`
    // A pipe holds 64 KiB by default: 200 KiB cannot fit while nobody reads.
    for (let i = 0; i < 200; i++) destination.write(line)
    expect(destination.dropped).toBeGreaterThan(0)
    expect(destination.broken).toBe(false)
    // Once the reader catches up, logging works again.
    while (readAll(reader).length > 0) { /* drain */ }
    const before = destination.dropped
    destination.write('after\n')
    expect(destination.dropped).toBe(before)
    expect(readAll(reader)).toBe('after\n')
  })
})
