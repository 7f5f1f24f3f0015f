// A superfriend's runs (turns no open request waits for: started here, through the API, or by a schedule): the list
// with status and output, refreshed while any is unfinished, and one run whose reply streams in live from the
// run's event stream while it runs (and is replayed from the stored events once it is over).
import { useCallback, useEffect, useState } from 'preact/hooks'
import { ApiProblem } from '../api/http.ts'
import { cancelRun, createRun, FINISHED_RUN_STATUSES, getRun, listRuns, streamRunEvents, type Run } from '../api/runs.ts'
import { useWorkspace } from '../context.ts'
import { formatDate, timeAgo } from '../format.ts'
import { href, navigate } from '../router.ts'
import { AgentHeader, useAgentBySlug } from './agent-header.tsx'
import { applyRunEvent, EMPTY_LIVE_RUN, type LiveRun } from './run-events.ts'

/** How often the list is read again while a run in it is unfinished (ms). */
const LIST_REFRESH_MS = 2_000
/** Output shown in a list row; the run's own page has all of it. */
const ROW_OUTPUT_MAX = 160

const problemText = (e: unknown) => (e instanceof ApiProblem ? (e.detail ? `${e.title}: ${e.detail}` : e.title) : e instanceof Error ? e.message : String(e))
const finished = (run: Run) => FINISHED_RUN_STATUSES.includes(run.status)

export function RunStatus(props: { status: Run['status'] }) {
  return <span class={`badge run-${props.status}`} data-status={props.status}>{props.status}</span>
}

export function RunsPage(props: { slug: string }) {
  const workspace = useWorkspace()
  const agent = useAgentBySlug(workspace.agents, props.slug)
  const [runs, setRuns] = useState<Run[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [input, setInput] = useState('')
  const [busy, setBusy] = useState(false)

  const load = useCallback(async () => {
    if (!agent) return
    try {
      setRuns(await listRuns(await workspace.credentials(), agent.id))
    } catch (e) {
      setError(problemText(e))
    }
  }, [agent?.id, workspace.credentials])
  useEffect(() => { void load() }, [load])
  // Unfinished runs change on their own (and schedules add new ones): read the list again until all are over.
  const unfinished = runs?.some((r) => !finished(r)) ?? false
  useEffect(() => {
    const timer = setInterval(() => void load(), unfinished ? LIST_REFRESH_MS : LIST_REFRESH_MS * 5)
    return () => clearInterval(timer)
  }, [unfinished, load])

  const start = async (event: Event) => {
    event.preventDefault()
    if (!agent || !input.trim()) return
    setBusy(true)
    setError(null)
    try {
      const run = await createRun(await workspace.credentials(), agent.id, input.trim())
      setInput('')
      // Straight to the run's page, to watch its reply arrive.
      navigate(href.runs(agent.slug, run.id))
    } catch (e) {
      setError(problemText(e))
    } finally {
      setBusy(false)
    }
  }

  if (agent === undefined) return <p role="status">Loading…</p>
  if (agent === null) return <section><h1 tabIndex={-1}>Not found</h1><p><a href={href.superfriends()}>Back to the list</a></p></section>
  return (
    <section>
      <AgentHeader agent={agent} tab="runs" />
      <h2 id="runs-title" tabIndex={-1}>Runs</h2>
      <p class="hint">Turns {agent.name} takes with nobody waiting: started here or through the API, or fired by a <a href={href.schedules(agent.slug)}>schedule</a>.</p>
      {error && <p role="alert" class="error">{error}</p>}
      <form class="card form" onSubmit={start} noValidate>
        <label for="run-input">Start a run now</label>
        <textarea id="run-input" rows={2} maxLength={100_000} value={input} onInput={(e) => setInput(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy || !input.trim()}>Start run</button>
      </form>
      {runs === null ? <p role="status">Loading…</p> : runs.length === 0 ? <p class="hint">No runs yet.</p> : (
        <div class="table-wrap">
          <table class="runs">
            <thead><tr><th scope="col">Status</th><th scope="col">Started by</th><th scope="col">Message</th><th scope="col">Output</th><th scope="col">Created</th></tr></thead>
            <tbody>
              {runs.map((r) => (
                <tr data-run={r.id} data-status={r.status} data-trigger={r.trigger}>
                  <td><RunStatus status={r.status} /></td>
                  <td>{r.trigger === 'schedule' ? 'schedule' : 'API'}</td>
                  <td class="input"><a href={href.runs(agent.slug, r.id)} aria-label={`Run: ${r.input}`}>{r.input}</a></td>
                  <td class="output">{r.error ? <span class="error">{r.error.code}</span> : (r.output ?? '').slice(0, ROW_OUTPUT_MAX)}{(r.output?.length ?? 0) > ROW_OUTPUT_MAX ? '…' : ''}</td>
                  <td>{timeAgo(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

export function RunPage(props: { slug: string; runId: string }) {
  const workspace = useWorkspace()
  const agent = useAgentBySlug(workspace.agents, props.slug)
  const [run, setRun] = useState<Run | null>(null)
  const [live, setLive] = useState<LiveRun>(EMPTY_LIVE_RUN)
  const [streaming, setStreaming] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    if (!agent) return
    const controller = new AbortController()
    setLive(EMPTY_LIVE_RUN)
    void (async () => {
      try {
        const credentials = await workspace.credentials()
        setRun(await getRun(credentials, agent.id, props.runId))
        setStreaming(true)
        await streamRunEvents(credentials, agent.id, props.runId, (e) => setLive((l) => applyRunEvent(l, e)), controller.signal)
        if (!controller.signal.aborted) setRun(await getRun(credentials, agent.id, props.runId))
      } catch (e) {
        if (!controller.signal.aborted) setError(problemText(e))
      } finally {
        if (!controller.signal.aborted) setStreaming(false)
      }
    })()
    return () => controller.abort()
  }, [agent?.id, props.runId])

  const cancel = async () => {
    if (!agent) return
    try {
      setRun(await cancelRun(await workspace.credentials(), agent.id, props.runId))
    } catch (e) {
      setError(problemText(e))
    }
  }

  if (agent === undefined) return <p role="status">Loading…</p>
  if (agent === null) return <section><h1 tabIndex={-1}>Not found</h1><p><a href={href.superfriends()}>Back to the list</a></p></section>
  return (
    <section class="run-page">
      <AgentHeader agent={agent} tab="runs" />
      <p class="crumbs"><a href={href.runs(agent.slug)}>All runs</a> /</p>
      <h2 tabIndex={-1}>Run {run && <RunStatus status={run.status} />}</h2>
      {error && <p role="alert" class="error">{error}</p>}
      {run === null ? <p role="status">Loading…</p> : <>
        <dl class="run-facts">
          <dt>Message</dt><dd class="run-input">{run.input}</dd>
          <dt>Started by</dt><dd>{run.trigger === 'schedule' ? 'a schedule' : 'the API'}{run.attempts > 1 ? ` · ${run.attempts} attempts` : ''}</dd>
          <dt>Created</dt><dd>{formatDate(run.createdAt)}</dd>
          {run.finishedAt && <><dt>Finished</dt><dd>{formatDate(run.finishedAt)}</dd></>}
          {run.usage && <><dt>Tokens</dt><dd>{run.usage.inputTokens} in · {run.usage.outputTokens} out</dd></>}
          {run.conversationId && <><dt>Conversation</dt><dd><a href={href.chat(agent.slug, run.conversationId)}>Open in chat</a></dd></>}
        </dl>
        {!finished(run) && <button type="button" class="danger" onClick={cancel}>Cancel run</button>}
        {live.steps.length > 0 && (
          <ol class="tool-steps" aria-label="Tool calls">
            {live.steps.map((step) => (
              <li class={`tool-step${step.isError ? ' failed' : ''}`} data-tool={step.name} data-done={step.result === undefined ? 'false' : 'true'}>
                {step.result === undefined ? 'Calling' : step.isError ? 'Failed:' : 'Used'} <code>{step.name}</code>
              </li>
            ))}
          </ol>
        )}
        <h3>Output</h3>
        <pre class="run-output" aria-live="polite" data-streaming={streaming ? 'true' : 'false'} data-events={live.events}>
          {live.text || run.output || (streaming ? '…' : '')}
        </pre>
        {run.error && <p class="error run-error">{run.error.code}: {run.error.message}</p>}
        {live.notes.length > 0 && <ul class="run-notes">{live.notes.map((n) => <li>{n}</li>)}</ul>}
      </>}
    </section>
  )
}
