// The header of a superfriend's pages: name, address, state, and the Chat / Memories / Schedules / Runs / Secrets / Edit tabs.
import { hosts } from '../api/hosts.ts'
import type { Agent } from '../api/platform.ts'
import { timeAgo } from '../format.ts'
import { href } from '../router.ts'
import { StateBadge } from './state-badge.tsx'

export function AgentHeader(props: { agent: Agent; tab: 'chat' | 'memories' | 'schedules' | 'runs' | 'secrets' }) {
  const { agent } = props
  return (
    <div class="agent-header">
      <div>
        <p class="crumbs"><a href={href.superfriends()}>Superfriends</a> /</p>
        <h1 tabIndex={-1}>{agent.name}</h1>
        <p class="meta">
          <code>{hosts.agentHost(agent.slug)}</code> <StateBadge state={agent.workloadState} />
          <span class="activity">Last activity: {timeAgo(agent.lastActiveAt)}</span>
        </p>
      </div>
      <nav class="tabs" aria-label={`${agent.name}`}>
        <a href={href.chat(agent.slug)} aria-current={props.tab === 'chat' ? 'page' : undefined}>Chat</a>
        <a href={href.memories(agent.slug)} aria-current={props.tab === 'memories' ? 'page' : undefined}>Memories</a>
        <a href={href.schedules(agent.slug)} aria-current={props.tab === 'schedules' ? 'page' : undefined}>Schedules</a>
        <a href={href.runs(agent.slug)} aria-current={props.tab === 'runs' ? 'page' : undefined}>Runs</a>
        <a href={href.secrets(agent.slug)} aria-current={props.tab === 'secrets' ? 'page' : undefined}>Secrets</a>
        <a href={href.edit(agent.slug)}>Edit</a>
      </nav>
    </div>
  )
}

/** Finds the agent of a route's slug, or says why not. */
export function useAgentBySlug(agents: Agent[] | null, slug: string): Agent | null | undefined {
  if (!agents) return undefined
  return agents.find((a) => a.slug === slug) ?? null
}
