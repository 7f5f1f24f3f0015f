// Reading a secret from the terminal without echoing it, or the first line of stdin when it is a pipe.

import { createInterface } from 'node:readline'
import type { Io } from './command.ts'
import { UsageError } from './errors.ts'

export async function readSecret(io: Io, question: string): Promise<string> {
  if (!io.stdin.isTTY || !io.stdin.setRawMode) return readFirstLine(io)
  io.stderr.write(question)
  const stdin = io.stdin
  stdin.setRawMode!(true)
  stdin.resume()
  return new Promise((resolve, reject) => {
    let value = ''
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(() => resolve(value.trim()))
        if (char === '\u0003') return finish(() => reject(new UsageError('cancelled')))
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1)
        else value += char
      }
    }
    const finish = (settle: () => void) => {
      stdin.removeListener('data', onData)
      stdin.setRawMode!(false)
      stdin.pause()
      io.stderr.write('\n')
      settle()
    }
    stdin.on('data', onData)
  })
}

async function readFirstLine(io: Io): Promise<string> {
  const lines = createInterface({ input: io.stdin, terminal: false })
  for await (const line of lines) {
    lines.close()
    return line.trim()
  }
  return ''
}
