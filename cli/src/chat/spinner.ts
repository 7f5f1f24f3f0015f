// "waking <slug>…" on stderr while no answer has arrived. A warm superfriend answers before the notice
// appears; on a terminal it animates and is erased, elsewhere it is one plain line.

import type { Io } from '../command.ts'

/** A warm agent's headers normally arrive well within this, so the notice only shows for a real wake. */
export const WAKING_NOTICE_AFTER_MS = 300
const FRAME_MS = 80
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export interface Spinner {
  /** Erases the animation (terminal only). Returns whether the notice was shown. */
  stop(): boolean
}

export function startSpinner(io: Io, text: string, delayMs = WAKING_NOTICE_AFTER_MS): Spinner {
  const tty = io.stderr.isTTY === true
  let shown = false
  let frame = 0
  let animation: NodeJS.Timeout | undefined
  const delay = setTimeout(() => {
    shown = true
    if (!tty) {
      io.stderr.write(`${text}\n`)
      return
    }
    const draw = () => io.stderr.write(`\r${FRAMES[frame++ % FRAMES.length]} ${text}`)
    draw()
    animation = setInterval(draw, FRAME_MS)
  }, delayMs)
  return {
    stop() {
      clearTimeout(delay)
      if (animation) clearInterval(animation)
      if (shown && tty) io.stderr.write('\r\u001b[2K')
      return shown
    },
  }
}
