// The runtime's log destination against real pipes (FIFOs, and a child's stderr): a reader that is gone, stuck or slow
// never holds up the runtime for more than one short wait, and what it misses is counted and reported, whole lines only.
import { execFileSync, spawn } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import pino from 'pino'
import { fdDestination, isBlockingPipe } from './log-destination.ts'
import { droppedNotice } from './log.ts'

const open: number[] = []
const dirs: string[] = []
afterEach(() => {
  for (const fd of open.splice(0)) {
    try { closeSync(fd) } catch { /* already closed by the test */ }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A named pipe with both ends open: the reader non-blocking (so opening does not wait), the writer as given. */
function fifo(writerFlags = constants.O_WRONLY | constants.O_NONBLOCK): { reader: number; writer: number } {
  const dir = mkdtempSync(join(tmpdir(), 'agent-log-fifo-'))
  dirs.push(dir)
  const path = join(dir, 'pipe')
  execFileSync('mkfifo', [path])
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  const writer = openSync(path, writerFlags)
  open.push(reader, writer)
  return { reader, writer }
}

/** Up to `max` bytes of what the pipe holds now ('' when empty: the reader is non-blocking). */
function readSome(fd: number, max: number): string {
  const buf = Buffer.alloc(max)
  try {
    return buf.subarray(0, readSync(fd, buf)).toString()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return ''
    throw err
  }
}

/** Everything the pipe holds now. */
function readAll(fd: number): string {
  let all = ''
  for (let chunk = readSome(fd, 1 << 16); chunk !== ''; chunk = readSome(fd, 1 << 16)) all += chunk
  return all
}

/** Time that passes only when the destination pauses or the test says so: no test sleeps. */
function fakeClock() {
  let t = 0
  const clock = {
    pausedMs: 0,
    now: () => t,
    pause: (ms: number) => { t += ms; clock.pausedMs += ms },
    advance: (ms: number) => { t += ms },
  }
  return clock
}

const dropNotice = (line: string) => JSON.parse(line) as { event: string; dropped: number }

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

  it('waits once for a reader that stopped, then drops lines without waiting, and reports them when it reads again', () => {
    const { reader, writer } = fifo()
    const clock = fakeClock()
    const destination = fdDestination(writer, clock)
    const line = `${'x'.repeat(1023)}\n`
    // A pipe holds 64 KiB by default: 200 KiB cannot fit while nobody reads.
    for (let i = 0; i < 200; i++) destination.write(line)
    expect(destination.dropped).toBeGreaterThan(0)
    expect(destination.broken).toBe(false)
    expect(clock.pausedMs).toBe(100) // one wait of 20 × 5 ms, not one per line

    // Still full a second later: dropped at once, no second wait within the 10 s interval…
    clock.advance(1_000)
    destination.write(line)
    expect(clock.pausedMs).toBe(100)
    // …but after it, a full pipe is waited for once more.
    clock.advance(10_000)
    destination.write(line)
    expect(clock.pausedMs).toBe(200)

    // The reader catches up: once the drop window is over, the next line gets through after one line with the count.
    const kept = readAll(reader).split('\n').filter(Boolean)
    expect(kept.every((l) => l === line.trim())).toBe(true)
    clock.advance(1_000)
    destination.write('after\n')
    const [notice, after, ...rest] = readAll(reader).split('\n')
    expect(dropNotice(notice!)).toMatchObject({ event: 'log-lines-dropped', dropped: destination.dropped })
    expect([after, ...rest]).toEqual(['after', ''])
    expect(kept.length + destination.dropped).toBe(202)
  })

  it('blocks at most once for a reader that is alive but slower than the log', () => {
    const { reader, writer } = fifo()
    const clock = fakeClock()
    const destination = fdDestination(writer, clock)
    const line = `${'y'.repeat(299)}\n`
    // The reader takes 2 KiB every 10 ms while 3 KB are logged, for 3 s: the pipe fills, then has a little room now
    // and then.
    let received = ''
    for (let i = 1; i <= 3_000; i++) {
      destination.write(line)
      if (i % 10 === 0) {
        received += readSome(reader, 2_048)
        clock.advance(10)
      }
    }
    expect(destination.dropped).toBeGreaterThan(0)
    expect(clock.pausedMs).toBeLessThanOrEqual(100)

    received += readAll(reader)
    clock.advance(1_000)
    destination.write('after\n')
    received += readAll(reader)
    const lines = received.split('\n')
    expect(lines.splice(-2)).toEqual(['after', ''])
    // Every line arrived whole or not at all, and the notices account for every one that did not…
    const notices = lines.filter((l) => l.startsWith('{')).map(dropNotice)
    const kept = lines.filter((l) => !l.startsWith('{'))
    expect(kept.every((l) => l === line.trim())).toBe(true)
    expect(notices.reduce((sum, notice) => sum + notice.dropped, 0)).toBe(destination.dropped)
    // …one per drop window at most (3.1 s of this clock), not one between every two lines that fit.
    expect(notices.length).toBeLessThanOrEqual(4)
    expect(kept.length + destination.dropped).toBe(3_000)
  })

  it('ends a line cut by a full pipe before the next one, so the reader never sees two lines run together', () => {
    const { reader, writer } = fifo()
    const clock = fakeClock()
    const destination = fdDestination(writer, clock)
    // Longer than the pipe: part of it goes in, the rest does not fit while nobody reads.
    destination.write(`${'z'.repeat(100_000)}\n`)
    expect(destination.dropped).toBe(1)
    const fragment = readAll(reader)
    expect(fragment.length).toBeGreaterThan(0)
    expect(fragment).not.toContain('\n')

    clock.advance(1_000)
    destination.write('after\n')
    const [end, notice, after, ...rest] = readAll(reader).split('\n')
    expect(end).toBe('') // the newline that ends the fragment
    expect(dropNotice(notice!).dropped).toBe(1)
    expect([after, ...rest]).toEqual(['after', ''])
  })

  it('reports dropped lines in the runtime logger\'s own format', () => {
    const { reader, writer } = fifo()
    const clock = fakeClock()
    const destination = fdDestination(writer, { ...clock, droppedNotice: droppedNotice('info') })
    for (let i = 0; i < 100; i++) destination.write(`${'x'.repeat(1023)}\n`)
    readAll(reader)
    clock.advance(1_000)
    destination.write('after\n')
    const notice = JSON.parse(readAll(reader).split('\n')[0]!) as Record<string, unknown>
    expect(notice).toMatchObject({ level: 40, service: 'agent-runtime', event: 'log-lines-dropped', dropped: destination.dropped })
    expect(notice.time).toEqual(expect.any(Number))
    // A level that leaves out warnings leaves out the notice too.
    expect(droppedNotice('error')(3)).toBe('')
  })

  it.runIf(process.platform === 'linux')('refuses a blocking pipe, which a stuck reader would block forever', () => {
    const { writer } = fifo(constants.O_WRONLY)
    expect(isBlockingPipe(writer)).toBe(true)
    expect(() => fdDestination(writer)).toThrow(/blocking pipe/)
  })

  it.runIf(process.platform === 'linux')('makes stderr non-blocking itself: a parent that stops reading cannot stall the runtime', async () => {
    // A child's stderr starts out blocking, and nothing in this script touches process.stderr before the destination.
    const script = `
      import { writeSync } from 'node:fs'
      import { fdDestination, isBlockingPipe } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'log-destination.ts')).href)}
      const blockingBefore = isBlockingPipe(2)
      const destination = fdDestination(2)
      for (let i = 0; i < 5_000; i++) destination.write('x'.repeat(1_023) + '\\n')
      writeSync(1, JSON.stringify({ blockingBefore, blockingAfter: isBlockingPipe(2), dropped: destination.dropped }))
    `
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stderr.pause() // takes in what fits in its buffer, then stops reading: 5 MB of log cannot fit
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    // A child blocked in write() never exits by itself: bounded here so that the test fails instead of hanging.
    const stuck = setTimeout(() => child.kill('SIGKILL'), 20_000)
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    clearTimeout(stuck)
    expect(code).toBe(0)
    const result = JSON.parse(stdout) as { blockingBefore: boolean; blockingAfter: boolean; dropped: number }
    expect(result).toMatchObject({ blockingBefore: true, blockingAfter: false })
    expect(result.dropped).toBeGreaterThan(0)
  })
})
