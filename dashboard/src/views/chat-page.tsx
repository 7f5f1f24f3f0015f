// Chat with one superfriend. A reply streams in over SSE; until its first byte the page says "waking…" (the
// edge holds the request while a sleeping superfriend wakes), then shows the cold-start time the edge reports.
// Past conversations load only once the superfriend is awake or when asked: looking must not wake it.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiProblem } from '../api/http.ts'
import { listConversations, listMessages, streamChat, type Conversation } from '../api/superfriend.ts'
import { useWorkspace } from '../context.ts'
import { useMediaQuery } from '../use-media-query.ts'
import { formatMs, timeAgo } from '../format.ts'
import { href, navigate } from '../router.ts'
import { AgentHeader, useAgentBySlug } from './agent-header.tsx'
import { addStepEvent, bubblesFromMessages, type Bubble } from './chat-history.ts'

type Phase = 'idle' | 'waking' | 'waiting' | 'streaming'

/** Past conversations start unfolded only on screens this wide; on a phone the chat comes first. */
const WIDE_SCREEN = '(min-width: 760px)'

/** A superfriend listed as awake that has not answered within this long is shown as waking (ms). */
const PRESUMED_WAKING_AFTER_MS = 1_500

/** Tool arguments and results as readable text, cut at a length a chat can hold. */
const STEP_TEXT_MAX = 4_000
function showJson(value: unknown): string {
  if (value === undefined) return '—'
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? String(value)
  return text.length > STEP_TEXT_MAX ? `${text.slice(0, STEP_TEXT_MAX)}…` : text
}

let bubbleCounter = 0
const nextKey = () => `b${++bubbleCounter}`

export function ChatPage(props: { slug: string; conversationId: string | null }) {
  const workspace = useWorkspace()
  const agent = useAgentBySlug(workspace.agents, props.slug)
  const [conversations, setConversations] = useState<Conversation[] | null>(null)
  const [conversationsError, setConversationsError] = useState<string | null>(null)
  const [conversationId, setConversationId] = useState<string | null>(props.conversationId)
  const [bubbles, setBubbles] = useState<Bubble[]>([])
  const [phase, setPhase] = useState<Phase>('idle')
  const [wakeNote, setWakeNote] = useState<string | null>(null)
  const [notes, setNotes] = useState<string[]>([])
  const [draft, setDraft] = useState('')
  const [historyError, setHistoryError] = useState<string | null>(null)
  const abort = useRef<AbortController | null>(null)
  const log = useRef<HTMLOListElement>(null)
  const awake = agent?.workloadState === 'ready'
  const wide = useMediaQuery(WIDE_SCREEN)

  const loadConversations = useCallback(async () => {
    try {
      setConversationsError(null)
      setConversations(await listConversations(await workspace.credentials(), props.slug))
    } catch (e) {
      setConversationsError(e instanceof Error ? e.message : String(e))
    }
  }, [props.slug, workspace.credentials])

  // Already awake: listing costs nothing, so list at once.
  useEffect(() => {
    if (awake && conversations === null) void loadConversations()
  }, [awake, conversations, loadConversations])

  // A past conversation chosen from the list (or a link): its messages.
  useEffect(() => {
    abort.current?.abort()
    setConversationId(props.conversationId)
    setBubbles([])
    setWakeNote(null)
    setNotes([])
    setPhase('idle')
    if (!props.conversationId) return
    const controller = new AbortController()
    void (async () => {
      try {
        setHistoryError(null)
        const messages = await listMessages(await workspace.credentials(), props.slug, props.conversationId!)
        if (controller.signal.aborted) return
        setBubbles(bubblesFromMessages(messages))
        if (conversations === null) void loadConversations()
      } catch (e) {
        if (!controller.signal.aborted) setHistoryError(e instanceof Error ? e.message : String(e))
      }
    })()
    return () => controller.abort()
  }, [props.slug, props.conversationId])

  useEffect(() => () => abort.current?.abort(), [])
  useEffect(() => {
    log.current?.lastElementChild?.scrollIntoView({ block: 'end' })
  }, [bubbles])

  const updateReply = (key: string, change: (b: Bubble) => Bubble) => setBubbles((list) => list.map((b) => (b.key === key ? change(b) : b)))

  const send = async (event?: Event) => {
    event?.preventDefault()
    const message = draft.trim()
    if (!message || phase !== 'idle' || !agent) return
    const replyKey = nextKey()
    setBubbles((list) => [...list,
      { key: nextKey(), role: 'user', text: message, deltas: 0, streaming: false },
      { key: replyKey, role: 'assistant', text: '', deltas: 0, streaming: true }])
    setDraft('')
    setWakeNote(null)
    setPhase(awake ? 'waiting' : 'waking')
    const controller = new AbortController()
    abort.current = controller
    // Listed as awake but no answer yet: it may have gone to sleep since the list was read, and the edge is
    // holding the request while it wakes.
    const stale = setTimeout(() => setPhase((p) => (p === 'waiting' ? 'waking' : p)), PRESUMED_WAKING_AFTER_MS)
    try {
      await streamChat(await workspace.credentials(), agent.slug, { message, ...(conversationId ? { conversationId } : {}) }, {
        onResponse: ({ coldStartMs }) => {
          clearTimeout(stale)
          setPhase('waiting')
          if (coldStartMs !== null) setWakeNote(`${agent.name} woke up in ${formatMs(coldStartMs)}`)
        },
        onFirstByte: () => setPhase('streaming'),
        onEvent: (e) => {
          switch (e.type) {
            case 'start': setConversationId(e.conversationId); break
            case 'memory': setNotes((n) => [...n, `Remembered: ${e.content}`]); break
            case 'delta': updateReply(replyKey, (b) => ({ ...b, text: b.text + e.text, deltas: b.deltas + 1 })); break
            case 'tool-call':
            case 'tool-result': updateReply(replyKey, (b) => ({ ...b, steps: addStepEvent(b.steps, e) })); break
            case 'done': updateReply(replyKey, (b) => ({ ...b, streaming: false })); break
            case 'error': updateReply(replyKey, (b) => ({ ...b, text: e.partial || b.text, streaming: false, error: e.message })); break
          }
        },
      }, controller.signal)
    } catch (e) {
      if (!controller.signal.aborted) {
        const text = e instanceof ApiProblem ? (e.detail ? `${e.title}: ${e.detail}` : e.title) : e instanceof Error ? e.message : String(e)
        updateReply(replyKey, (b) => ({ ...b, streaming: false, error: text }))
      }
    } finally {
      clearTimeout(stale)
      updateReply(replyKey, (b) => ({ ...b, streaming: false }))
      if (abort.current === controller) {
        abort.current = null
        setPhase('idle')
        void loadConversations()
        void workspace.reloadAgents()
      }
    }
  }

  const newConversation = () => {
    abort.current?.abort()
    setConversationId(null)
    setBubbles([])
    setWakeNote(null)
    setNotes([])
    setPhase('idle')
    navigate(href.chat(props.slug))
    document.getElementById('chat-input')?.focus()
  }

  if (agent === undefined) return <p role="status">Loading…</p>
  if (agent === null) return <section><h1 tabIndex={-1}>Not found</h1><p>No superfriend <code>{props.slug}</code> in this workspace. <a href={href.superfriends()}>Back to the list</a></p></section>

  const status = phase === 'waking' ? `waking ${agent.name}…` : phase === 'waiting' ? 'thinking…' : phase === 'streaming' ? 'replying…' : ''
  return (
    <section class="chat-page">
      <AgentHeader agent={agent} tab="chat" />
      <div class="chat-layout">
        <aside class="conversations" aria-labelledby="conversations-title">
          <details open={wide} key={wide ? 'wide' : 'narrow'}>
            <summary id="conversations-title">Past conversations</summary>
            <button type="button" class="new-conversation" onClick={newConversation}>New conversation</button>
            {conversationsError && <p class="error" role="alert">{conversationsError}</p>}
            {conversations === null ? (
              awake ? <p role="status">Loading…</p> : (
                <p class="hint">{agent.name} is asleep. <button type="button" class="link" onClick={loadConversations}>Wake it and list past conversations</button></p>
              )
            ) : conversations.length === 0 ? <p class="hint">None yet.</p> : (
              <ul>
                {conversations.map((c) => (
                  <li><a href={href.chat(agent.slug, c.id)} aria-current={c.id === conversationId ? 'true' : undefined}>
                    <span class="title">{c.title || 'Untitled'}</span> <span class="when">{timeAgo(c.updatedAt)}</span>
                  </a></li>
                ))}
              </ul>
            )}
          </details>
        </aside>
        <div class="chat">
          {historyError && <p class="error" role="alert">Could not load this conversation: {historyError}</p>}
          <ol class="messages" ref={log} aria-label="Messages" aria-live="polite">
            {bubbles.length === 0 && <li class="hint empty-chat">Say hello to {agent.name}. {awake ? '' : 'It is asleep; your first message wakes it.'}</li>}
            {bubbles.map((b) => (
              <li class={`bubble ${b.role}${b.error ? ' failed' : ''}`} data-role={b.role} data-deltas={b.deltas} data-streaming={b.streaming ? 'true' : 'false'}>
                <span class="who">{b.role === 'user' ? 'You' : agent.name}</span>
                {b.steps && b.steps.length > 0 && (
                  <ol class="tool-steps" aria-label="Tool calls">
                    {b.steps.map((step) => (
                      <li class={`tool-step${step.isError ? ' failed' : ''}`} data-tool={step.name} data-done={step.result === undefined ? 'false' : 'true'}>
                        <details>
                          <summary>{step.result === undefined ? 'Calling' : step.isError ? 'Failed:' : 'Used'} <code>{step.name}</code></summary>
                          <p class="label">Arguments</p>
                          <pre class="tool-args">{showJson(step.args)}</pre>
                          {step.result !== undefined && <><p class="label">{step.isError ? 'Error' : 'Result'}</p><pre class="tool-result">{showJson(step.result)}</pre></>}
                        </details>
                      </li>
                    ))}
                  </ol>
                )}
                <p class="text">{b.text || (b.streaming ? '…' : '')}</p>
                {b.error && <p class="error">{b.error}</p>}
              </li>
            ))}
          </ol>
          <div class="chat-status" role="status" aria-live="polite">
            {status && <span class={`phase phase-${phase}`}>{status}</span>}
            {wakeNote && <span class="cold-start">{wakeNote}</span>}
            {notes.map((n) => <span class="memory-note">{n}</span>)}
          </div>
          <form class="composer" onSubmit={send}>
            <label for="chat-input" class="visually-hidden">Message to {agent.name}</label>
            <textarea id="chat-input" rows={2} placeholder={`Message ${agent.name}…`} aria-describedby="chat-keys" value={draft}
              onInput={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) void send(e) }} />
            <button type="submit" class="primary" disabled={phase !== 'idle' || !draft.trim()}>Send</button>
          </form>
          <p id="chat-keys" class="keys-hint">Enter sends · Shift+Enter starts a new line</p>
        </div>
      </div>
    </section>
  )
}
