// Hash routes (#/superfriends/ada): the dashboard is static files, so no server needs to know its paths.
import { useEffect, useState } from 'preact/hooks'

export type Route =
  | { page: 'superfriends' }
  | { page: 'new-superfriend' }
  | { page: 'edit-superfriend'; slug: string }
  | { page: 'chat'; slug: string; conversationId: string | null }
  | { page: 'memories'; slug: string }
  | { page: 'secrets'; slug: string }
  | { page: 'schedules'; slug: string }
  | { page: 'runs'; slug: string; runId: string | null }
  | { page: 'keys' }
  | { page: 'usage' }
  | { page: 'not-found' }

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
  const [first, second, third, fourth] = parts
  if (!first || (first === 'superfriends' && !second)) return { page: 'superfriends' }
  if (first === 'superfriends' && second === 'new' && !third) return { page: 'new-superfriend' }
  if (first === 'superfriends' && second) {
    if (!third) return { page: 'chat', slug: second, conversationId: null }
    if (third === 'edit') return { page: 'edit-superfriend', slug: second }
    if (third === 'memories') return { page: 'memories', slug: second }
    if (third === 'secrets') return { page: 'secrets', slug: second }
    if (third === 'schedules' && !fourth) return { page: 'schedules', slug: second }
    if (third === 'runs') return { page: 'runs', slug: second, runId: fourth ?? null }
    if (third === 'conversations' && fourth) return { page: 'chat', slug: second, conversationId: fourth }
  }
  if (first === 'keys' && !second) return { page: 'keys' }
  if (first === 'usage' && !second) return { page: 'usage' }
  return { page: 'not-found' }
}

export const href = {
  superfriends: () => '#/superfriends',
  newSuperfriend: () => '#/superfriends/new',
  edit: (slug: string) => `#/superfriends/${encodeURIComponent(slug)}/edit`,
  chat: (slug: string, conversationId?: string) =>
    `#/superfriends/${encodeURIComponent(slug)}${conversationId ? `/conversations/${encodeURIComponent(conversationId)}` : ''}`,
  memories: (slug: string) => `#/superfriends/${encodeURIComponent(slug)}/memories`,
  secrets: (slug: string) => `#/superfriends/${encodeURIComponent(slug)}/secrets`,
  schedules: (slug: string) => `#/superfriends/${encodeURIComponent(slug)}/schedules`,
  runs: (slug: string, runId?: string) => `#/superfriends/${encodeURIComponent(slug)}/runs${runId ? `/${encodeURIComponent(runId)}` : ''}`,
  keys: () => '#/keys',
  usage: () => '#/usage',
}

export function navigate(to: string): void {
  if (window.location.hash !== to) window.location.hash = to
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash))
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener('hashchange', update)
    return () => window.removeEventListener('hashchange', update)
  }, [])
  return route
}
