// WebSocket chat: the same events as the SSE stream, several turns on one socket, stored like any chat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/db.ts'
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { agentConfig } from './support/agent-config.ts'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from './support/runtime-process.ts'
import type { RuntimeProcess } from './support/runtime-process.ts'
import { signedFetch } from './support/signed-fetch.ts'
import { openChatSocket } from './support/ws-client.ts'

let config: RuntimeConfig
let runtime: RuntimeProcess

beforeAll(async () => {
  config = agentConfig(await createTestDatabase('agent_ws'))
  runtime = await spawnRuntime({ config })
  await waitUntilReady(runtime.baseUrl)
})
afterAll(async () => { await runtime?.stop() })

describe('WebSocket chat', () => {
  it('runs several turns of one conversation on one socket with start, delta and done events', async () => {
    const socket = await openChatSocket(runtime, config.slug)
    try {
      const first = await socket.turn({ message: 'Hi over a socket' })
      expect(first[0]).toMatchObject({ type: 'start' })
      const conversationId = first[0].conversationId
      expect(first.filter((e) => e.type === 'delta').length).toBeGreaterThan(3)
      expect(first.at(-1)).toMatchObject({ type: 'done', conversationId, usage: { outputTokens: expect.any(Number) } })

      const second = await socket.turn({ message: 'Second turn', conversationId })
      const text = second.filter((e) => e.type === 'delta').map((e) => e.text).join('')
      expect(text).toContain('(turn 2)')
      expect(second.at(-1)).toMatchObject({ type: 'done', conversationId })

      const stored = await (await signedFetch({ secret: TEST_SECRET, slug: config.slug })(`${runtime.baseUrl}/v1/conversations/${conversationId}/messages`)).json()
      expect(stored.data).toHaveLength(4)
      expect(stored.data[3].content).toBe(text)
    } finally {
      socket.close()
    }
  })

  it('refuses a second message while a reply is still streaming, without disturbing the first', async () => {
    const socket = await openChatSocket(runtime, config.slug)
    try {
      const events: any[] = []
      socket.socket.on('message', (d) => events.push(JSON.parse(d.toString())))
      socket.socket.send(JSON.stringify({ message: 'first' }))
      socket.socket.send(JSON.stringify({ message: 'second' }))
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (events.some((e) => e.type === 'done')) {
            clearInterval(check)
            resolve()
          }
        }, 20)
      })
      expect(events).toContainEqual(expect.objectContaining({ type: 'error', code: 'turn-in-progress' }))
      expect(events.filter((e) => e.type === 'start')).toHaveLength(1)
    } finally {
      socket.close()
    }
  })
})
