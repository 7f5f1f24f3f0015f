// `myintell runs` and `myintell schedules` as a user runs them (the CLI as a child process) against a real
// cluster-api with the local driver and runtimes: a run is created, followed to its reply, shown and resumed;
// schedules are created, shown with their next fire, paused, resumed and removed; bad timing is refused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCliHome, runCli, type CliHome } from '../../cli/test-support/run-cli.ts'
import { startRunsPlatform, type RunsPlatform } from './support/runs.ts'

let platform: RunsPlatform
let home: CliHome
let apiUrl: string

beforeAll(async () => {
  platform = await startRunsPlatform()
  apiUrl = `http://api.localhost:${platform.api.port}`
  home = createCliHome()
}, 60_000)

afterAll(async () => {
  await platform?.close()
  home?.remove()
})

const cli = (...args: string[]) => runCli(args, home)

describe('myintell runs and schedules', { timeout: 120_000 }, () => {
  it('creates a run, follows it to its reply, shows it and replays its events after an id', async () => {
    expect((await cli('login', '--dev', '--email', 'cli-runs@example.test', '--api-url', apiUrl)).code).toBe(0)
    expect((await cli('tenants', 'create', 'cli-runs', '--name', 'CLI runs')).code).toBe(0)
    expect((await cli('agents', 'create', 'cli-ada', '--provider', 'local', '--model', 'local-dev')).code).toBe(0)

    const followed = await cli('runs', 'create', 'cli-ada', 'feed the cat', '--follow')
    expect(followed.code).toBe(0)
    expect(followed.stdout).toContain('You said: "feed the cat"')
    expect(followed.stdout).toContain('[succeeded]')

    const listed = JSON.parse((await cli('runs', 'list', 'cli-ada', '--json')).stdout) as Array<{ id: string; status: string; output: string }>
    expect(listed).toHaveLength(1)
    expect(listed[0]!.status).toBe('succeeded')
    const shown = await cli('runs', 'show', 'cli-ada', listed[0]!.id)
    expect(shown.stdout).toMatch(/status:\s+succeeded/)

    const all = (await cli('runs', 'events', 'cli-ada', listed[0]!.id, '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string })
    const resumed = (await cli('runs', 'events', 'cli-ada', listed[0]!.id, '--json', '--after', '2')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string })
    expect(resumed).toEqual(all.slice(2))
    expect((await cli('runs', 'cancel', 'cli-ada', listed[0]!.id)).code).toBe(1)
  })

  it('creates, shows, pauses, resumes and removes a schedule; refuses bad timing', async () => {
    const created = await cli('schedules', 'create', 'cli-ada', 'stand-up notes', '--cron', '0 9 * * 1-5', '--timezone', 'Europe/Berlin', '--json')
    expect(created.code).toBe(0)
    const schedule = JSON.parse(created.stdout) as { id: string; nextRunAt: string }
    expect(new Date(schedule.nextRunAt).getTime()).toBeGreaterThan(Date.now())
    expect((await cli('schedules', 'list', 'cli-ada')).stdout).toContain('cron 0 9 * * 1-5 (Europe/Berlin)')
    expect((await cli('schedules', 'pause', 'cli-ada', schedule.id)).stdout).toContain('next run none')
    expect((await cli('schedules', 'resume', 'cli-ada', schedule.id)).stdout).toMatch(/next run \d{4}-/)
    expect((await cli('schedules', 'rm', 'cli-ada', schedule.id)).code).toBe(0)
    expect((await cli('schedules', 'show', 'cli-ada', schedule.id)).code).toBe(1)

    const tooOften = await cli('schedules', 'create', 'cli-ada', 'spam', '--every', '10s')
    expect(tooOften.code).toBe(1)
    expect(tooOften.stderr).toContain('every')
    const both = await cli('schedules', 'create', 'cli-ada', 'x', '--every', '1h', '--at', '2030-01-01T00:00:00Z')
    expect(both.code).toBe(2)
  })
})
