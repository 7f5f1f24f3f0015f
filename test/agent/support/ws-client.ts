// A small WebSocket chat client for tests: connects through an edge-signed upgrade and collects one turn's events.
import WebSocket from 'ws'
import { edgeHeaders, type EdgeIdentity } from './signed-fetch.ts'
import { TEST_SECRET } from './runtime-process.ts'

export interface ChatSocket {
  /** Sends a chat frame and resolves with every event up to and including `done` or `error`. */
  turn(body: unknown): Promise<any[]>
  turnRaw(frame: string): Promise<any[]>
  /** The events received so far in the current turn (for tests that act mid-stream). */
  received(): any[]
  socket: WebSocket
  close(): void
}

/** `as`: who the edge says is calling (principal, principalAccess); default a member, like signedFetch. */
export async function openChatSocket(runtime: { port: number }, slug: string, secret = TEST_SECRET, as: Pick<EdgeIdentity, 'principal' | 'principalAccess'> = {}): Promise<ChatSocket> {
  const url = `ws://127.0.0.1:${runtime.port}/v1/ws`
  const headers = await edgeHeaders('GET', `http://127.0.0.1:${runtime.port}/v1/ws`, { secret, slug, ...as })
  const ws = new WebSocket(url, { headers: Object.fromEntries(headers) })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)))
  })
  let events: any[] = []
  let waiter: ((events: any[]) => void) | null = null
  ws.on('message', (data) => {
    const event = JSON.parse(data.toString())
    events.push(event)
    if ((event.type === 'done' || event.type === 'error') && waiter) {
      const done = waiter
      waiter = null
      const all = events
      events = []
      done(all)
    }
  })
  const turnRaw = (frame: string) => new Promise<any[]>((resolve) => {
    waiter = resolve
    ws.send(frame)
  })
  return {
    turn: (body) => turnRaw(JSON.stringify(body)),
    turnRaw,
    received: () => events,
    socket: ws,
    close: () => ws.close(),
  }
}
