// `myintell chat` against a local server that speaks the runtime's SSE format the way the edge delivers it:
// held while the superfriend wakes, then X-Myintell-Cold-Start, then the reply in pieces.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createCliHome, startCli, type CliHome, type CliProcess } from '../../test-support/run-cli.ts'
import { openStream, reply, sendEvent, startFakeAgent, type FakeAgent } from '../../test-support/fake-agent.ts'

const KEY = 'mi_testprefix_testsecret'

let agent: FakeAgent
let home: CliHome
let running: CliProcess | null = null

beforeAll(async () => {
  agent = await startFakeAgent()
  home = createCliHome()
})
afterEach(() => {
  running?.child.kill()
  running = null
})
afterAll(async () => {
  await agent?.close()
  home?.remove()
})

const chat = (...args: string[]) => (running = startCli(['chat', ...args, '--key', KEY], home))

describe('myintell chat', { timeout: 120_000 }, () => {
  it('shows a waking spinner until the first byte, then "woke in", then the reply as it streams', async () => {
    // The agent URL is derived from the API URL: api.localhost:<port> → demo.localhost:<port>.
    const cli = chat('demo', '--message', 'hi there', '--api-url', `http://api.localhost:${agent.port}`)
    const request = await agent.nextRequest()
    expect(request.host).toBe(`demo.localhost:${agent.port}`)
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(request.headers.accept).toBe('text/event-stream')
    expect(request.body).toEqual({ message: 'hi there' })

    // Nothing has been answered yet: the CLI must say it is waking the superfriend.
    await cli.waitFor('stderr', 'waking demo…')
    expect(cli.stdout).toBe('')

    openStream(request.res, { 'x-myintell-cold-start': '1234' })
    sendEvent(request.res, 'start', { conversationId: 'conv-1' })
    sendEvent(request.res, 'delta', { text: 'Hel' })
    // The first piece is on screen before the rest of the reply exists.
    await cli.waitFor('stdout', 'Hel')
    expect(cli.stderr).toContain('woke in 1234 ms')
    sendEvent(request.res, 'delta', { text: 'lo, Ada here.' })
    sendEvent(request.res, 'done', { conversationId: 'conv-1', messageId: '2', usage: { inputTokens: 3, outputTokens: 4 } })
    request.res.end()

    const result = await cli.done
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('Hello, Ada here.\n')
  })

  it('keeps the conversation id across turns and starts over after /new', async () => {
    const cli = chat('demo', '--agent-url', `http://127.0.0.1:${agent.port}`)
    cli.write('first\n')
    const first = await agent.nextRequest()
    expect(first.body).toEqual({ message: 'first' })
    reply(first.res, 'conv-7', ['one ', 'reply'])
    await cli.waitFor('stdout', 'one reply\n')

    cli.write('second\n')
    const second = await agent.nextRequest()
    expect(second.body).toEqual({ message: 'second', conversationId: 'conv-7' })
    reply(second.res, 'conv-7', ['two'])
    await cli.waitFor('stdout', 'two\n')

    cli.write('/new\nthird\n')
    const third = await agent.nextRequest()
    expect(third.body).toEqual({ message: 'third' })
    reply(third.res, 'conv-8', ['three'])
    await cli.waitFor('stdout', 'three\n')
    cli.end()

    const result = await cli.done
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('one reply\ntwo\nthree\n')
    // A warm answer carries no cold-start header, so no "woke in" line.
    expect(result.stderr).not.toContain('woke in')
  })

  it('continues a conversation named with --conversation and prints the turn as JSON', async () => {
    const cli = chat('demo', '--agent-url', `http://127.0.0.1:${agent.port}`, '--conversation', 'conv-42', '-m', 'again', '--json')
    const request = await agent.nextRequest()
    expect(request.body).toEqual({ message: 'again', conversationId: 'conv-42' })
    reply(request.res, 'conv-42', ['sure'])
    const result = await cli.done
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ conversationId: 'conv-42', messageId: '2', reply: 'sure', coldStartMs: null, failure: null })
  })

  it('exits 1 with the problem title and the Retry-After when the edge cannot wake the superfriend', async () => {
    const cli = chat('demo', '--agent-url', `http://127.0.0.1:${agent.port}`, '--message', 'hello')
    const request = await agent.nextRequest()
    request.res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '5' })
    request.res.end(JSON.stringify({ type: 'https://myintell.ai/problems/wake-timeout', title: 'The superfriend did not wake in time', status: 503, code: 'wake-timeout' }))
    const result = await cli.done
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('The superfriend did not wake in time: retry after 5 s [503 wake-timeout]')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('keeps the partial reply and exits 1 when the model fails mid-reply', async () => {
    const cli = chat('demo', '--agent-url', `http://127.0.0.1:${agent.port}`, '--message', 'hello')
    const request = await agent.nextRequest()
    openStream(request.res)
    sendEvent(request.res, 'start', { conversationId: 'conv-9' })
    sendEvent(request.res, 'delta', { text: 'Half a' })
    sendEvent(request.res, 'error', { conversationId: 'conv-9', messageId: '3', code: 'provider_unavailable', message: 'the provider went away', partial: 'Half a' })
    request.res.end()
    const result = await cli.done
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('Half a\n')
    expect(result.stderr).toContain('the provider went away (provider_unavailable)')
  })
})
