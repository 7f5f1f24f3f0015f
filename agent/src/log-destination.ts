// Where the runtime's log lines go: written straight to a file descriptor (stderr), one synchronous write per line.
// A reader that is gone (EPIPE: the parent died) turns logging off for good instead of retrying; nothing can block exit.
import { writeSync } from 'node:fs'

/**
 * Why not pino.destination(): sonic-boom's flushSync() retries every failed write, EPIPE included, with a 100 ms
 * blocking sleep and no bound, and pino calls it from its exit hook and after every `fatal` line. With the parent
 * dead, a runtime could never finish exiting. Writing each line synchronously leaves nothing to flush at all.
 */

/**
 * A pipe that is full but alive (EAGAIN on a non-blocking descriptor) gets this many more tries for one line, so a
 * reader that is merely slow can catch up. If it stays full, the line is dropped, and so is every line after it
 * without waiting until a write goes through again: a stuck reader costs the runtime ~100 ms once, not per line.
 */
const FULL_PIPE_RETRIES = 20
/** Pause between those tries (ms): 20 × 5 ms. */
const FULL_PIPE_PAUSE_MS = 5

export interface LogDestination {
  write(line: string): boolean
  /** Nothing is ever buffered: pino's flush() and fatal's flushSync() complete at once. */
  flush(cb?: (err?: Error) => void): void
  flushSync(): void
  /** True once a write failed for good; later lines are dropped. */
  readonly broken: boolean
  /** Lines dropped: after the destination broke, or because a full pipe stayed full. */
  readonly dropped: number
}

const pause = new Int32Array(new SharedArrayBuffer(4))

export function fdDestination(fd: number): LogDestination {
  let broken = false
  let congested = false
  let dropped = 0

  function writeAll(data: Buffer): void {
    let offset = 0
    let retries = 0
    while (offset < data.length) {
      try {
        offset += writeSync(fd, data, offset)
        retries = 0
        congested = false
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'EINTR') continue
        if (code === 'EAGAIN' && !congested && retries++ < FULL_PIPE_RETRIES) {
          Atomics.wait(pause, 0, 0, FULL_PIPE_PAUSE_MS)
          continue
        }
        if (code === 'EAGAIN') {
          // Alive but not reading: lose this line rather than stall the event loop. (Lines up to PIPE_BUF, 4 KiB,
          // are written whole or not at all; a longer one may be cut.)
          congested = true
          dropped++
          return
        }
        broken = true // EPIPE, EBADF, …: nobody will ever read what follows
        dropped++
        return
      }
    }
  }

  return {
    write(line) {
      if (broken) dropped++
      else writeAll(Buffer.from(line))
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
