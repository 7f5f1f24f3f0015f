// The dashboard's pure pieces: where its servers are, its hash routes, and the formats it shows.
import { describe, expect, it } from 'vitest'
import { checkSlug } from '../../wire/slug.ts'
import { hostsFor } from '../../dashboard/src/api/hosts.ts'
import { lastDays, slugFromName, timeAgo } from '../../dashboard/src/format.ts'
import { parseRoute } from '../../dashboard/src/router.ts'
import { bubblesFromMessages } from '../../dashboard/src/views/chat-history.ts'
import type { Message } from '../../dashboard/src/api/superfriend.ts'
import { applyRunEvent, EMPTY_LIVE_RUN } from '../../dashboard/src/views/run-events.ts'

describe('hosts', () => {
  it('derives the API and superfriend addresses from app.<base>, port included', () => {
    const hosts = hostsFor({ protocol: 'http:', host: 'app.localhost:8787' })
    expect(hosts.apiUrl).toBe('http://api.localhost:8787')
    expect(hosts.agentUrl('ada')).toBe('http://ada.localhost:8787')
    expect(hosts.agentHost('ada')).toBe('ada.localhost:8787')
  })

  it('keeps https in production', () => {
    expect(hostsFor({ protocol: 'https:', host: 'app.myintell.ai' }).apiUrl).toBe('https://api.myintell.ai')
  })

  it('uses the configured base when not served from app.<base>', () => {
    expect(hostsFor({ protocol: 'http:', host: '127.0.0.1:5173' }, 'localhost:8787').apiUrl).toBe('http://api.localhost:8787')
  })
})

describe('routes', () => {
  it('maps hashes to pages', () => {
    expect(parseRoute('')).toEqual({ page: 'superfriends' })
    expect(parseRoute('#/superfriends/new')).toEqual({ page: 'new-superfriend' })
    expect(parseRoute('#/superfriends/ada')).toEqual({ page: 'chat', slug: 'ada', conversationId: null })
    expect(parseRoute('#/superfriends/ada/conversations/c1')).toEqual({ page: 'chat', slug: 'ada', conversationId: 'c1' })
    expect(parseRoute('#/superfriends/ada/edit')).toEqual({ page: 'edit-superfriend', slug: 'ada' })
    expect(parseRoute('#/superfriends/ada/memories')).toEqual({ page: 'memories', slug: 'ada' })
    expect(parseRoute('#/superfriends/ada/secrets')).toEqual({ page: 'secrets', slug: 'ada' })
    expect(parseRoute('#/superfriends/ada/schedules')).toEqual({ page: 'schedules', slug: 'ada' })
    expect(parseRoute('#/superfriends/ada/runs')).toEqual({ page: 'runs', slug: 'ada', runId: null })
    expect(parseRoute('#/superfriends/ada/runs/r1')).toEqual({ page: 'runs', slug: 'ada', runId: 'r1' })
    expect(parseRoute('#/keys')).toEqual({ page: 'keys' })
    expect(parseRoute('#/usage')).toEqual({ page: 'usage' })
    expect(parseRoute('#/nope')).toEqual({ page: 'not-found' })
  })
})

describe('formats', () => {
  it('suggests a slug from a name that passes the platform slug rules', () => {
    expect(slugFromName('Ada Lovelace')).toBe('ada-lovelace')
    expect(slugFromName('  Zoë & Friends!! ')).toBe('zoe-friends')
    expect(checkSlug(slugFromName('Ünïcode Ñame '.repeat(10)))).toBeNull()
  })

  it('lists the last days in UTC, oldest first, ending today', () => {
    expect(lastDays(3, new Date('2026-03-01T05:00:00Z'))).toEqual(['2026-02-27', '2026-02-28', '2026-03-01'])
  })

  it('says how long ago in words', () => {
    const now = Date.parse('2026-01-01T12:00:00Z')
    expect(timeAgo(null, now)).toBe('never')
    expect(timeAgo('2026-01-01T11:59:50Z', now)).toBe('just now')
    expect(timeAgo('2026-01-01T11:30:00Z', now)).toBe('30 min ago')
    expect(timeAgo('2025-12-31T12:00:00Z', now)).toBe('yesterday')
  })
})

describe('a stored conversation as bubbles', () => {
  let next = 0
  const message = (role: Message['role'], content: string, extra: Partial<Message> = {}): Message =>
    ({ id: String(++next), role, content, status: 'complete', createdAt: '2026-01-01T00:00:00Z', ...extra })

  it('folds tool steps into the reply that follows them, as the live stream does', () => {
    const bubbles = bubblesFromMessages([
      message('user', 'use clock'),
      message('tool-call', '', { tool: { id: 'c1', name: 'clock', args: {} } }),
      message('tool-result', '', { tool: { id: 'c1', name: 'clock', result: { now: 'noon' }, isError: false } }),
      message('assistant', 'clock returned noon'),
      message('user', 'thanks'),
      message('assistant', 'any time'),
    ])
    expect(bubbles.map((b) => [b.role, b.text])).toEqual([
      ['user', 'use clock'], ['assistant', 'clock returned noon'], ['user', 'thanks'], ['assistant', 'any time'],
    ])
    expect(bubbles[1]!.steps).toEqual([{ id: 'c1', name: 'clock', args: {}, result: { now: 'noon' }, isError: false }])
    expect(bubbles[3]!.steps).toBeUndefined()
  })

  it('keeps a failed step, a failed reply, and steps whose reply never came', () => {
    const bubbles = bubblesFromMessages([
      message('system', 'hidden'),
      message('user', 'fetch it'),
      message('tool-call', '', { tool: { id: 'a', name: 'http_fetch', args: { url: 'x' } } }),
      message('tool-result', '', { status: 'error', tool: { id: 'a', name: 'http_fetch', result: { error: 'refused' }, isError: true } }),
      message('assistant', 'part', { status: 'error', error: 'model_error' }),
      message('user', 'again'),
      message('tool-call', '', { tool: { id: 'b', name: 'clock', args: {} } }),
    ])
    expect(bubbles.map((b) => b.role)).toEqual(['user', 'assistant', 'user', 'assistant'])
    expect(bubbles[1]).toMatchObject({ text: 'part', error: 'model_error', steps: [{ id: 'a', isError: true, result: { error: 'refused' } }] })
    expect(bubbles[3]).toMatchObject({ text: '', steps: [{ id: 'b', name: 'clock', args: {} }] })
    expect(bubbles[3]!.steps![0]!.result).toBeUndefined()
    expect(new Set(bubbles.map((b) => b.key)).size).toBe(bubbles.length)
  })
})

describe("a run's events as the run page shows them", () => {
  const fold = (events: Array<[string, Record<string, unknown>]>) =>
    events.reduce((live, [event, data], i) => applyRunEvent(live, { id: i + 1, event, data }), EMPTY_LIVE_RUN)

  it('joins the deltas, folds tool steps and keeps the final status', () => {
    const live = fold([
      ['attempt', { attempt: 1, of: 3 }], ['start', { conversationId: 'c' }],
      ['tool-call', { id: 't', name: 'clock', args: {} }], ['tool-result', { id: 't', name: 'clock', result: { now: 'x' }, isError: false }],
      ['delta', { text: 'clock ' }], ['delta', { text: 'returned x' }], ['done', {}], ['status', { status: 'succeeded' }],
    ])
    expect(live).toMatchObject({ text: 'clock returned x', events: 8, status: 'succeeded', notes: [] })
    expect(live.steps).toEqual([{ id: 't', name: 'clock', args: {}, result: { now: 'x' }, isError: false }])
  })

  it('starts the reply again on a retried attempt and says why it was retried', () => {
    const live = fold([
      ['attempt', { attempt: 1, of: 3 }], ['delta', { text: 'half' }],
      ['retry', { attempt: 1, error: { code: 'provider-failed', message: 'the provider failed' } }],
      ['attempt', { attempt: 2, of: 3 }], ['delta', { text: 'whole' }], ['status', { status: 'succeeded' }],
    ])
    expect(live.text).toBe('whole')
    expect(live.notes).toEqual(['Retrying: the provider failed', 'Attempt 2 of 3'])
  })
})
