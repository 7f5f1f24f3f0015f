// A superfriend's schedules: each fires a run with its message on a cron expression (in a time zone), once at a
// time, or every interval. Listed with the next fire time; paused, resumed and deleted here. The platform checks
// the timing (an invalid cron, a past time, an interval under a minute) and its refusal is shown as it words it.
import { useCallback, useEffect, useState } from 'preact/hooks'
import { ApiProblem } from '../api/http.ts'
import { createSchedule, deleteSchedule, listSchedules, updateSchedule, type Schedule, type ScheduleTiming } from '../api/runs.ts'
import { useWorkspace } from '../context.ts'
import { formatDate } from '../format.ts'
import { href } from '../router.ts'
import { AgentHeader, useAgentBySlug } from './agent-header.tsx'
import { ConfirmDialog } from './confirm-dialog.tsx'

type Kind = Schedule['kind']

const problemText = (e: unknown) => (e instanceof ApiProblem ? (e.detail ? `${e.title}: ${e.detail}` : e.title) : e instanceof Error ? e.message : String(e))

/** When a schedule fires, in words. */
export function describeTiming(s: Schedule): string {
  if (s.kind === 'cron') return `cron ${s.cron} (${s.timezone ?? 'UTC'})`
  if (s.kind === 'at') return `once at ${s.at ? formatDate(s.at) : '—'}`
  return `every ${s.every}`
}

export function SchedulesPage(props: { slug: string }) {
  const workspace = useWorkspace()
  const agent = useAgentBySlug(workspace.agents, props.slug)
  const [schedules, setSchedules] = useState<Schedule[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [doomed, setDoomed] = useState<Schedule | null>(null)
  const [input, setInput] = useState('')
  const [kind, setKind] = useState<Kind>('cron')
  const [cron, setCron] = useState('0 9 * * 1-5')
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC')
  const [at, setAt] = useState('')
  const [every, setEvery] = useState('1h')

  const load = useCallback(async () => {
    if (!agent) return
    try {
      setSchedules(await listSchedules(await workspace.credentials(), agent.id))
    } catch (e) {
      setError(problemText(e))
    }
  }, [agent?.id, workspace.credentials])
  useEffect(() => { void load() }, [load])

  const act = async (work: () => Promise<string>) => {
    setBusy(true)
    setError(null)
    setNotice(null)
    try {
      setNotice(await work())
      await load()
    } catch (e) {
      setError(problemText(e))
    } finally {
      setBusy(false)
    }
  }

  const create = (event: Event) => {
    event.preventDefault()
    if (!agent || !input.trim()) return
    // datetime-local is the browser's local time; the API takes an instant with its offset.
    const timing: ScheduleTiming = kind === 'cron' ? { cron: cron.trim(), timezone: timezone.trim() || 'UTC' }
      : kind === 'at' ? { at: at ? new Date(at).toISOString() : '' } : { every: every.trim() }
    void act(async () => {
      await createSchedule(await workspace.credentials(), agent.id, { input: input.trim(), ...timing })
      setInput('')
      return 'Schedule created.'
    })
  }

  const setPaused = (s: Schedule, paused: boolean) => void act(async () => {
    await updateSchedule(await workspace.credentials(), agent!.id, s.id, { paused })
    return paused ? 'Schedule paused.' : 'Schedule resumed.'
  })

  const remove = () => {
    const s = doomed
    if (!s) return
    void act(async () => {
      await deleteSchedule(await workspace.credentials(), agent!.id, s.id)
      return 'Schedule deleted.'
    }).finally(() => setDoomed(null))
  }

  if (agent === undefined) return <p role="status">Loading…</p>
  if (agent === null) return <section><h1 tabIndex={-1}>Not found</h1><p><a href={href.superfriends()}>Back to the list</a></p></section>
  return (
    <section>
      <AgentHeader agent={agent} tab="schedules" />
      <h2 id="schedules-title" tabIndex={-1}>Schedules</h2>
      <p class="hint">Each fire sends the message to {agent.name} as a <a href={href.runs(agent.slug)}>run</a>, waking it if it is asleep.</p>
      {error && <p role="alert" class="error">{error}</p>}
      {notice && <p role="status" class="notice">{notice}</p>}
      <form class="card form" onSubmit={create} noValidate>
        <h3>New schedule</h3>
        <label for="schedule-input">Message</label>
        <textarea id="schedule-input" rows={2} required maxLength={100_000} value={input} onInput={(e) => setInput(e.currentTarget.value)} />
        <fieldset class="choice">
          <legend>When</legend>
          {(['cron', 'at', 'every'] as const).map((k) => (
            <label><input type="radio" name="schedule-kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
              {k === 'cron' ? ' On a cron expression' : k === 'at' ? ' Once' : ' Every interval'}</label>
          ))}
        </fieldset>
        {kind === 'cron' && <>
          <label for="schedule-cron">Cron expression</label>
          <input id="schedule-cron" required spellcheck={false} value={cron} aria-describedby="schedule-cron-help" onInput={(e) => setCron(e.currentTarget.value)} />
          <p id="schedule-cron-help" class="hint">Five fields: minute hour day-of-month month weekday (<code>0 9 * * 1-5</code> is 09:00 on weekdays).</p>
          <label for="schedule-timezone">Time zone</label>
          <input id="schedule-timezone" spellcheck={false} value={timezone} onInput={(e) => setTimezone(e.currentTarget.value)} />
        </>}
        {kind === 'at' && <>
          <label for="schedule-at">Date and time</label>
          <input id="schedule-at" type="datetime-local" step={1} required value={at} onInput={(e) => setAt(e.currentTarget.value)} />
        </>}
        {kind === 'every' && <>
          <label for="schedule-every">Interval</label>
          <input id="schedule-every" required spellcheck={false} value={every} aria-describedby="schedule-every-help" onInput={(e) => setEvery(e.currentTarget.value)} />
          <p id="schedule-every-help" class="hint"><code>15m</code>, <code>2h</code>, <code>1d</code>: at least one minute.</p>
        </>}
        <button type="submit" class="primary" disabled={busy || !input.trim()}>Create schedule</button>
      </form>
      <h3>{agent.name}'s schedules</h3>
      {schedules === null ? <p role="status">Loading…</p> : schedules.length === 0 ? <p class="hint">No schedules yet.</p> : (
        <div class="table-wrap">
          <table class="schedules">
            <thead><tr><th scope="col">Message</th><th scope="col">When</th><th scope="col">Next fire</th><th scope="col">Last run</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {schedules.map((s) => (
                <tr data-schedule={s.id} data-paused={s.paused ? 'true' : 'false'}>
                  <td class="input">{s.input}</td>
                  <td>{describeTiming(s)}</td>
                  <td class="next">{s.paused ? <span class="badge">paused</span> : s.nextRunAt ? <time dateTime={s.nextRunAt}>{formatDate(s.nextRunAt)}</time> : 'done'}</td>
                  <td>{s.lastRunId ? <a href={href.runs(agent.slug, s.lastRunId)}>{s.lastRunAt ? formatDate(s.lastRunAt) : 'open'}</a> : 'never'}</td>
                  <td class="actions">
                    {(s.paused || s.nextRunAt) && (
                      <button type="button" disabled={busy} aria-label={`${s.paused ? 'Resume' : 'Pause'} schedule: ${s.input}`} onClick={() => setPaused(s, !s.paused)}>{s.paused ? 'Resume' : 'Pause'}</button>
                    )}
                    <button type="button" class="danger" disabled={busy} aria-label={`Delete schedule: ${s.input}`} onClick={() => setDoomed(s)}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {doomed && (
        <ConfirmDialog title="Delete this schedule?" confirmLabel="Delete schedule" busy={busy} onConfirm={remove} onCancel={() => setDoomed(null)}>
          <p>It fires no more runs; the runs it fired stay listed.</p>
        </ConfirmDialog>
      )}
    </section>
  )
}
