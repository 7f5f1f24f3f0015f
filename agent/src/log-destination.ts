// Where the runtime's log lines go: written straight to a file descriptor (stderr), one synchronous write per line.
// A reader that is gone (EPIPE) turns logging off for good; one that does not keep up costs lines, not the event loop.
import { constants, fstatSync, readFileSync, writeSync } from 'node:fs'

/**
 * Why not pino.destination(): sonic-boom's flushSync() retries every failed write, EPIPE included, with a 100 ms
 * blocking sleep and no bound, and pino calls it from its exit hook and after every `fatal` line. With the parent
 * dead, a runtime could never finish exiting. Writing each line synchronously leaves nothing to flush at all.
 */

/**
 * A full pipe (EAGAIN: the reader is alive but behind) gets this many more tries for one line, so that a reader that
 * is merely slow can take in a burst: 20 × 5 ms, the event loop blocked up to ~100 ms.
 */
const FULL_PIPE_RETRIES = 20
const FULL_PIPE_PAUSE_MS = 5
/**
 * That wait happens at most once per this interval: a reader that stays behind then blocks the runtime ≤ 1 % of the
 * time, instead of ~100 ms for every line that meets a full pipe. In between, a line that finds the pipe full is dropped.
 */
const FULL_PIPE_WAIT_INTERVAL_MS = 10_000
/**
 * After a dropped line, later lines are dropped without a write for this long: the reader gets time to drain, and
 * the line that reports the dropped ones is written at most once per window, not between every two lines that fit.
 */
const DROP_WINDOW_MS = 1_000

export interface LogDestination {
  write(line: string): boolean
  /** Nothing is ever buffered: pino's flush() and fatal's flushSync() complete at once. */
  flush(cb?: (err?: Error) => void): void
  flushSync(): void
  /** True once a write failed for good; later lines are dropped. */
  readonly broken: boolean
  /** Lines dropped (or cut) so far: after the destination broke, or because the pipe was full. */
  readonly dropped: number
}

export interface LogDestinationOptions {
  /**
   * The line (with its newline) that says how many lines were dropped, written just before the first line that gets
   * through again. Default: a JSON line with `level` 40 (warn), `event: 'log-lines-dropped'` and `dropped`.
   */
  droppedNotice?: (count: number) => string
  /** Monotonic clock (ms) and blocking pause, replaceable so that tests need not sleep. */
  now?: () => number
  pause?: (ms: number) => void
}

const pauseCell = new Int32Array(new SharedArrayBuffer(4))
const sleep = (ms: number) => { Atomics.wait(pauseCell, 0, 0, ms) }

function defaultNotice(count: number): string {
  return `${JSON.stringify({ level: 40, time: Date.now(), event: 'log-lines-dropped', dropped: count, msg: 'log lines dropped: the reader did not keep up' })}\n`
}

/**
 * Only O_NONBLOCK turns a full pipe into EAGAIN; without it, a reader that stops reading blocks writeSync(), and with
 * it the whole runtime, for as long as it does not read. Node has no fcntl(), but libuv sets O_NONBLOCK on every pipe
 * or socket it opens as a stream, and for fd 1 and 2 that stream is process.stdout / process.stderr, opened the first
 * time it is read. So this reads it (and never writes through it), rather than count on something else having done so
 * first: a process spawned by Node (the local driver's runtimes) starts with blocking stdio sockets. Files and terminals
 * are left as they are: no reader to wait on. On Linux the result is checked; a pipe or socket still blocking is refused.
 */
function makeNonBlocking(fd: number): void {
  if (fd === 1) void process.stdout
  else if (fd === 2) void process.stderr
  if (isBlockingPipe(fd)) {
    throw new Error(`log destination: fd ${fd} is a blocking pipe or socket, so a reader that stops reading would stop the runtime; open it with O_NONBLOCK`)
  }
}

/** True for a pipe or socket without O_NONBLOCK. Linux only (/proc/self/fdinfo); elsewhere false, as unknown. */
export function isBlockingPipe(fd: number): boolean {
  let info: string
  try {
    const stat = fstatSync(fd)
    if (!stat.isFIFO() && !stat.isSocket()) return false
    info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
  } catch {
    return false // a closed fd (the first write breaks the destination) or no /proc
  }
  const flags = /^flags:\s*([0-7]+)$/m.exec(info)
  return flags !== null && (parseInt(flags[1]!, 8) & constants.O_NONBLOCK) === 0
}

export function fdDestination(fd: number, options: LogDestinationOptions = {}): LogDestination {
  makeNonBlocking(fd)
  const notice = options.droppedNotice ?? defaultNotice
  const now = options.now ?? (() => performance.now())
  const pause = options.pause ?? sleep
  let broken = false
  let dropped = 0
  /** Dropped since the last notice that got through. */
  let unreported = 0
  /** Until when lines are dropped without a write. */
  let droppingUntil = -Infinity
  /** When a full pipe may next be waited for. */
  let nextWaitAt = -Infinity
  /** A line was cut after a partial write: the pipe's last byte is not a newline. */
  let midLine = false

  /** Writes as much of `data` as the pipe takes and returns how many bytes that was. */
  function writeSome(data: Buffer): number {
    let offset = 0
    let retries = -1 // not waiting
    while (offset < data.length) {
      try {
        offset += writeSync(fd, data, offset)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'EINTR') continue
        if (code !== 'EAGAIN') {
          broken = true // EPIPE, EBADF, …: nobody will ever read what follows
          return offset
        }
        if (retries < 0 && now() >= nextWaitAt) {
          retries = 0
          nextWaitAt = now() + FULL_PIPE_WAIT_INTERVAL_MS
        }
        if (retries < 0 || retries++ >= FULL_PIPE_RETRIES) return offset
        pause(FULL_PIPE_PAUSE_MS)
      }
    }
    return offset
  }

  function write(line: string): void {
    // What the reader needs before this line: a newline ending a cut line, then how many lines it missed.
    const head = (midLine ? '\n' : '') + (unreported > 0 ? notice(unreported) : '')
    const data = Buffer.from(head + line)
    const headBytes = Buffer.byteLength(head)
    const written = writeSome(data)
    if (written >= headBytes) unreported = 0
    if (written === data.length) {
      midLine = false
      return
    }
    // A line up to PIPE_BUF (4 KiB) goes into a pipe whole or not at all; a longer one, or any line into a socket
    // (the pipes of a child spawned by Node are sockets), may be cut: the next write then starts with a newline.
    if (written > 0) midLine = written !== headBytes || headBytes === 0
    dropped++
    unreported++
    droppingUntil = now() + DROP_WINDOW_MS
  }

  return {
    write(line) {
      if (broken) dropped++
      else if (now() < droppingUntil) {
        dropped++
        unreported++
      } else write(line)
      return true
    },
    flush(cb) {
      cb?.()
    },
    flushSync() {},
    get broken() {
      return broken
    },
    get dropped() {
      return dropped
    },
  }
}
