// Checks that the ports the platform wants are free before anything starts, so a busy port is one clear
// sentence ("port 8787 is in use …") instead of a stack trace from deep inside wrangler or Node.

import { createServer } from 'node:net'

export class PortInUseError extends Error {}

export function assertPortFree(port: number, host: string, envName: string): Promise<void> {
  if (port === 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        reject(new PortInUseError(`port ${port} on ${host} is in use by another program; free it or choose another with ${envName}=<port>`))
      } else reject(error)
    })
    server.listen(port, host, () => server.close(() => resolve()))
  })
}
