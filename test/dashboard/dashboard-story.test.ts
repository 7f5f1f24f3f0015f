// The dashboard at app.<base>, in Debian's Chromium, against the whole platform as `npm start` runs it (embedded
// PostgreSQL, cluster-api with the local driver, the edge Worker in workerd). One user's story, step by step:
// sign in → create a superfriend → chat and watch the reply stream in after a wake → memories → keys → usage.
// Screenshots of every page land in test-output/dashboard/.

import { mkdtempSync, rmSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startPlatform, type Platform } from '../../scripts/platform.ts'
import { launchBrowser, type TestBrowser } from './support/browser.ts'
import { ensureDashboardBuilt } from './support/build-dashboard.ts'
import { edgeRequest } from './support/edge-request.ts'

/** A wake, a streamed reply, or a usage batch reaching the chart can take this long on a busy 2-core machine. */
const SLOW_STEP_MS = 60_000

/** expect.poll with room for a busy machine (vitest's default gives up after one second). */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 250 })

const run = Math.random().toString(36).slice(2, 8)
const email = `story-${run}@example.com`
const slug = `ada-${run}`
const today = new Date().toISOString().slice(0, 10)

describe('the dashboard at app.<base>, in a real browser against the whole platform', () => {
  let platform: Platform
  let browser: TestBrowser
  let dataDir: string
  /** Without CORS the browser refuses every API call: later steps then fail at once, pointing at the first step. */
  let corsAnswered = process.env.MYINTELL_TEST_NO_CORS === '1'
  const needsCors = () => {
    if (!corsAnswered) throw new Error('the edge does not answer CORS for the app origin (see the first step), so the browser refuses the API')
  }

  beforeAll(async () => {
    await ensureDashboardBuilt()
    dataDir = mkdtempSync(join(tmpdir(), 'myintell-dashboard-'))
    chmodSync(dataDir, 0o755)
    platform = await startPlatform({ dataDir, edgePort: 0, apiPort: 0, ingressPort: 0, env: { ...process.env, LOG_LEVEL: 'warn' } })
    browser = await launchBrowser()
    browser.page.setDefaultTimeout(20_000)
  }, 180_000)

  afterEach(async ({ task }) => {
    // What the page looked like when a step failed: the first thing to look at.
    if (task.result?.state === 'fail' && browser) await browser.screenshot(`failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => {})
  })

  afterAll(async () => {
    await browser?.close()
    await platform?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  }, 60_000)

  it('is served on app.<base>, and the API and superfriends let its origin call them (CORS)', { timeout: SLOW_STEP_MS }, async () => {
    const page = await edgeRequest(platform.edgeUrl, 'app.localhost', '/')
    expect(page.status).toBe(200)
    expect(page.body).toContain('<div id="root">')
    const origin = platform.appUrl
    const preflight = (host: string, path: string, method: string, headers: string) => edgeRequest(platform.edgeUrl, host, path, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
    })
    // The platform API: JSON bodies, bearer tokens and the tenant header.
    const api = await preflight('api.localhost', '/v1/agents', 'PATCH', 'authorization,content-type,x-myintell-tenant')
    expect(api.status).toBeLessThan(300)
    expect(api.headers['access-control-allow-origin']).toBe(origin)
    expect(String(api.headers['access-control-allow-methods']).toUpperCase()).toContain('PATCH')
    // Secrets are set with PUT.
    expect(String(api.headers['access-control-allow-methods']).toUpperCase()).toContain('PUT')
    expect(String(api.headers['access-control-allow-headers']).toLowerCase()).toContain('x-myintell-tenant')
    // A superfriend: the preflight is answered without credentials and without waking it.
    const agent = await preflight(`${platform.seed.slug}.localhost`, '/v1/chat', 'POST', 'authorization,content-type')
    expect(agent.status).toBeLessThan(300)
    expect(agent.headers['access-control-allow-origin']).toBe(origin)
    expect(String(agent.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization')
    // The dashboard reads the cold-start time from the chat response.
    const answer = await edgeRequest(platform.edgeUrl, `${platform.seed.slug}.localhost`, '/v1/memories', {
      headers: { origin, authorization: `Bearer ${platform.seed.apiKey}` },
    })
    expect(answer.headers['access-control-allow-origin']).toBe(origin)
    expect(String(answer.headers['access-control-expose-headers']).toLowerCase()).toContain('x-myintell-cold-start')
    corsAnswered = true
  })

  it('says what the platform is when signed out, and signs in with the local dev sign-in', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.goto(platform.appUrl)
    await poll(() => page.getByRole('heading', { name: 'Your superfriends' }).isVisible()).toBe(true)
    expect(await page.locator('.lead').textContent()).toMatch(/persistent AI agents/i)
    await browser.screenshot('01-signed-out')

    await page.getByLabel('Email').fill(email)
    await page.getByRole('button', { name: 'Sign in' }).click()
    // A new user has no workspace yet: the dashboard offers to create one.
    await page.getByRole('heading', { name: 'Name your workspace' }).waitFor()
    await browser.screenshot('02-create-workspace')
    await page.getByLabel('Workspace name').fill('Story Labs')
    await page.getByLabel('Workspace id').fill(`story-${run}`)
    await page.getByRole('button', { name: 'Create workspace' }).click()
    await page.getByRole('heading', { name: 'Superfriends', exact: true }).waitFor()
    expect(await page.locator('.account').textContent()).toContain(email)
  })

  it('checks the slug live against the platform rules and creates a superfriend', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.getByRole('link', { name: 'New superfriend' }).first().click()
    await page.getByLabel('Name', { exact: true }).fill('Ada Story')
    const slugInput = page.getByLabel('Slug (subdomain)')
    const help = page.locator('#agent-slug-help')
    const submit = page.getByRole('button', { name: 'Create superfriend' })
    expect(await slugInput.inputValue()).toBe('ada-story')

    await slugInput.fill('ab')
    expect(await help.textContent()).toContain('must be 3 to 40 characters long')
    expect(await slugInput.getAttribute('aria-invalid')).toBe('true')
    expect(await submit.isDisabled()).toBe(true)
    await slugInput.fill('Ada!')
    expect(await help.textContent()).toContain('only lowercase letters')
    await slugInput.fill('api')
    expect(await help.textContent()).toContain('reserved')
    await browser.screenshot('03-new-superfriend-invalid-slug')

    await slugInput.fill(slug)
    expect(await help.textContent()).toContain(`Available as ${slug}.localhost`)
    expect(await submit.isDisabled()).toBe(false)
    await page.getByLabel('Persona: who is it?').fill('You are Ada, a patient tutor who loves mathematics.')
    await page.getByLabel('Persona: how does it talk?').fill('warm and brief')
    await page.getByLabel('Model provider').selectOption('local')
    expect(await page.getByLabel('Model', { exact: true }).inputValue()).toBe('local-dev')
    await browser.screenshot('04-new-superfriend')
    await submit.click()

    await page.waitForURL(new RegExp(`#/superfriends/${slug}$`))
    await page.getByRole('heading', { name: 'Ada Story' }).waitFor()
  })

  it('streams the reply in after a visible "waking…" state, then shows the cold-start time', async () => {
    const { page } = browser
    needsCors()
    // The edge holds the first request while the superfriend wakes: no byte arrives meanwhile. Record every
    // status the page shows, so a short wake is seen too.
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { seenStatuses: string[] }).seenStatuses = seen
      new MutationObserver(() => {
        const text = document.querySelector('.chat-status')?.textContent
        if (text && seen.at(-1) !== text) seen.push(text)
      }).observe(document.body, { subtree: true, childList: true, characterData: true })
    })
    await page.getByLabel('Message to Ada Story').fill('Hello Ada! Please remember that my favourite colour is teal.')
    await page.keyboard.press('Enter')

    const reply = page.locator('.bubble.assistant').last()
    await expect.poll(() => reply.getAttribute('data-streaming'), { timeout: SLOW_STEP_MS }).toBe('false')
    expect(await reply.locator('.error').count()).toBe(0)
    const text = await reply.locator('.text').textContent()
    expect(text).toContain('[local dev model]')
    expect(text).toContain('my favourite colour is teal')
    // Streamed: the reply arrived as many SSE delta events, not one body.
    expect(Number(await reply.getAttribute('data-deltas'))).toBeGreaterThan(3)

    const seen = await page.evaluate(() => (window as unknown as { seenStatuses: string[] }).seenStatuses)
    expect(seen.some((s) => s.startsWith('waking Ada Story…'))).toBe(true)
    expect(await page.locator('.cold-start').textContent()).toMatch(/^Ada Story woke up in \d+(\.\d)? m?s$/)
    expect(await page.locator('.memory-note').textContent()).toBe('Remembered: my favourite colour is teal')
    await browser.screenshot('05-chat')

    await page.setViewportSize({ width: 390, height: 844 })
    try {
      await browser.screenshot('06-chat-phone', { fullPage: false })
      // Nothing sticks out sideways on a phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 })
    }
  }, SLOW_STEP_MS + 10_000)

  it('lists the past conversation and shows a memory that can be deleted', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    const conversation = page.locator('.conversations li a').first()
    await poll(() => conversation.textContent()).toContain('Hello Ada')

    await page.getByRole('link', { name: 'Memories' }).click()
    const memory = page.locator('.memory', { hasText: 'my favourite colour is teal' })
    await memory.waitFor()
    await browser.screenshot('07-memories')
    await memory.getByRole('button', { name: /^Forget/ }).click()
    await poll(() => memory.count()).toBe(0)
    await page.getByText('Nothing remembered yet.').waitFor()

    // Past conversations open with their messages.
    await page.getByRole('link', { name: 'Chat', exact: true }).click()
    await conversation.click()
    await poll(() => page.locator('.bubble').count()).toBe(2)
    expect(await page.locator('.bubble.user .text').textContent()).toContain('favourite colour is teal')
  })

  it('folds a tool step into its reply, live and again when the conversation is reopened', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.getByRole('button', { name: 'New conversation' }).click()
    // The local model calls the clock tool on "use clock" (agent/README.md); a new superfriend has it enabled.
    await page.getByLabel('Message to Ada Story').fill('use clock')
    await page.keyboard.press('Enter')
    const reply = page.locator('.bubble.assistant').last()
    await expect.poll(() => reply.getAttribute('data-streaming'), { timeout: SLOW_STEP_MS }).toBe('false')
    const liveStep = reply.locator('.tool-step[data-tool="clock"]')
    expect(await liveStep.getAttribute('data-done')).toBe('true')
    const liveText = await reply.locator('.text').textContent()
    expect(liveText).toContain('clock returned')

    // Reopened from the list after a reload: the stored tool-call and tool-result rows are the same folded step,
    // not bubbles of their own.
    await page.reload()
    const reopened = page.locator('.conversations li a', { hasText: 'use clock' }).first()
    await reopened.click()
    await poll(() => page.locator('.bubble').count()).toBe(2)
    expect(await page.locator('.bubble').evaluateAll((els) => els.map((el) => el.getAttribute('data-role')))).toEqual(['user', 'assistant'])
    const stored = page.locator('.bubble.assistant')
    expect(await stored.locator('.text').textContent()).toBe(liveText)
    const step = stored.locator('.tool-step[data-tool="clock"]')
    expect(await step.count()).toBe(1)
    expect(await step.getAttribute('data-done')).toBe('true')
    await step.locator('summary').click()
    expect(await step.locator('summary').textContent()).toBe('Used clock')
    expect(JSON.parse((await step.locator('.tool-result').textContent())!)).toMatchObject({ now: expect.any(String) })
    expect(liveText).toContain(JSON.parse((await step.locator('.tool-result').textContent())!).now)
    await browser.screenshot('07a-chat-tool-step-reopened')
  })

  it('creates, pauses, resumes and deletes a cron schedule, refusing an invalid one', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    // The schedule routes are called with PATCH and DELETE from the app's origin.
    const preflight = await edgeRequest(platform.edgeUrl, 'api.localhost', '/v1/agents/x/schedules/y', {
      method: 'OPTIONS', headers: { origin: platform.appUrl, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization,x-myintell-tenant' },
    })
    expect(preflight.status).toBeLessThan(300)
    expect(String(preflight.headers['access-control-allow-methods']).toUpperCase()).toMatch(/PATCH.*DELETE|DELETE.*PATCH/)

    await page.getByRole('link', { name: 'Schedules', exact: true }).click()
    await page.getByText('No schedules yet.').waitFor()
    await page.getByLabel('Message', { exact: true }).fill('weekday digest')
    await page.getByLabel('Cron expression', { exact: true }).fill('every tuesday')
    await page.getByLabel('Time zone', { exact: true }).fill('Europe/Lisbon')
    const errorsBefore = browser.errors.length
    await page.getByRole('button', { name: 'Create schedule' }).click()
    await poll(() => page.getByRole('alert').textContent()).toContain('cron: not a cron expression')
    // The refusal is the one console line Chromium writes for a 422 answer.
    expect(browser.errors.splice(errorsBefore).filter((line) => !line.includes('422'))).toEqual([])
    expect(await page.getByText('No schedules yet.').count()).toBe(1)

    await page.getByLabel('Cron expression', { exact: true }).fill('0 9 * * 1-5')
    await page.getByRole('button', { name: 'Create schedule' }).click()
    const row = page.locator('table.schedules tr', { hasText: 'weekday digest' })
    await row.waitFor()
    expect(await row.textContent()).toContain('cron 0 9 * * 1-5 (Europe/Lisbon)')
    const next = await row.locator('.next time').getAttribute('datetime')
    expect(Date.parse(next!)).toBeGreaterThan(Date.now())
    // 09:00 in Lisbon is 08:00 or 09:00 UTC, on a weekday.
    expect([8, 9]).toContain(new Date(next!).getUTCHours())
    expect([1, 2, 3, 4, 5]).toContain(new Date(next!).getUTCDay())

    await row.getByRole('button', { name: 'Pause schedule: weekday digest' }).click()
    await poll(() => row.getAttribute('data-paused')).toBe('true')
    expect(await row.locator('.next').textContent()).toBe('paused')
    await row.getByRole('button', { name: 'Resume schedule: weekday digest' }).click()
    await poll(() => row.getAttribute('data-paused')).toBe('false')
    expect(await row.locator('.next time').getAttribute('datetime')).toBe(next)
    await browser.screenshot('07e-schedules')

    await row.getByRole('button', { name: 'Delete schedule: weekday digest' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete schedule' }).click()
    await poll(() => row.count()).toBe(0)
    await page.getByText('No schedules yet.').waitFor()

    // Every interval: under a minute is refused, a quarter of an hour fires a quarter of an hour from now.
    await page.getByLabel('Message', { exact: true }).fill('quarterly check')
    await page.getByLabel('Every interval', { exact: true }).check()
    await page.getByLabel('Interval', { exact: true }).fill('30s')
    const errorsBeforeEvery = browser.errors.length
    await page.getByRole('button', { name: 'Create schedule' }).click()
    await poll(() => page.getByRole('alert').textContent()).toContain('every:')
    expect(browser.errors.splice(errorsBeforeEvery).filter((line) => !line.includes('422'))).toEqual([])
    await page.getByLabel('Interval', { exact: true }).fill('15m')
    const before = Date.now()
    await page.getByRole('button', { name: 'Create schedule' }).click()
    const every = page.locator('table.schedules tr', { hasText: 'quarterly check' })
    await every.waitFor()
    expect(await every.textContent()).toContain('every 15m')
    const fires = Date.parse((await every.locator('.next time').getAttribute('datetime'))!)
    expect(fires).toBeGreaterThanOrEqual(before + 14 * 60_000)
    expect(fires).toBeLessThanOrEqual(Date.now() + 15 * 60_000)
    await every.getByRole('button', { name: 'Delete schedule: quarterly check' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete schedule' }).click()
    await poll(() => every.count()).toBe(0)
  })

  it('fires a one-shot schedule as a run, and shows the run succeed with its streamed output', { timeout: 2 * SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.getByLabel('Message', { exact: true }).fill('Hello from a schedule')
    await page.getByLabel('Once', { exact: true }).check()
    // A few seconds ahead, in the browser's local time as datetime-local takes it.
    const at = await page.evaluate(() => {
      const d = new Date(Date.now() + 8_000)
      const two = (n: number) => String(n).padStart(2, '0')
      return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
    })
    await page.getByLabel('Date and time', { exact: true }).fill(at)
    await page.getByRole('button', { name: 'Create schedule' }).click()
    const row = page.locator('table.schedules tr', { hasText: 'Hello from a schedule' })
    await row.waitFor()
    expect(await row.textContent()).toContain('once at')

    await page.getByRole('link', { name: 'Runs', exact: true }).click()
    const run = page.locator('table.runs tr[data-trigger="schedule"]', { hasText: 'Hello from a schedule' })
    // The list refreshes itself: the fire adds the run, which then runs and succeeds.
    await expect.poll(() => run.getAttribute('data-status').catch(() => null), { timeout: SLOW_STEP_MS, interval: 500 }).toBe('succeeded')
    expect(await run.locator('.output').textContent()).toContain('[local dev model]')
    await browser.screenshot('07f-runs')

    await run.getByRole('link', { name: 'Run: Hello from a schedule' }).click()
    await page.waitForURL(/\/runs\/[^/]+$/)
    const runId = decodeURIComponent(page.url().split('/runs/')[1]!)
    const output = page.locator('.run-output')
    await expect.poll(() => output.getAttribute('data-streaming'), { timeout: SLOW_STEP_MS }).toBe('false')
    expect(await page.locator('.run-page h2 .badge').textContent()).toBe('succeeded')
    // The output on this page is the reply read from the run's event stream, delta by delta.
    expect(Number(await output.getAttribute('data-events'))).toBeGreaterThan(3)
    const text = await output.textContent()
    expect(text).toContain('[local dev model]')
    expect(text).toContain('Hello from a schedule')
    expect(await page.locator('.run-input').textContent()).toBe('Hello from a schedule')
    await browser.screenshot('07g-run')

    // The one-shot has fired: no next fire, and its last run links here.
    await page.getByRole('link', { name: 'Schedules', exact: true }).click()
    await poll(() => row.locator('.next').textContent()).toBe('done')
    expect(await row.getByRole('link').getAttribute('href')).toBe(`#/superfriends/${slug}/runs/${runId}`)
  })

  it('starts a run from the runs page and opens it to follow its reply', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.getByRole('link', { name: 'Runs', exact: true }).click()
    await page.getByLabel('Start a run now').fill('Hello from the runs page')
    await page.getByRole('button', { name: 'Start run' }).click()
    await page.waitForURL(/\/runs\/[^/]+$/)
    const output = page.locator('.run-output')
    await expect.poll(() => output.getAttribute('data-streaming'), { timeout: SLOW_STEP_MS }).toBe('false')
    expect(await page.locator('.run-page h2 .badge').textContent()).toBe('succeeded')
    const reply = await output.textContent()
    expect(reply).toContain('Hello from the runs page')
    expect(await page.locator('.run-facts').textContent()).toContain('the API')
    // The run spoke in a conversation of its own, which the chat opens.
    await page.getByRole('link', { name: 'Open in chat' }).click()
    await poll(() => page.locator('.bubble.user .text').textContent()).toBe('Hello from the runs page')
    expect(await page.locator('.bubble.assistant .text').textContent()).toBe(reply)
  })

  it('keeps a superfriend\'s secrets write-only: sets, replaces and deletes one, never showing a value', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    const value = `sk-story-${run}-never-shown`
    await page.getByRole('link', { name: 'Secrets', exact: true }).click()
    await page.getByText('No secrets yet.').waitFor()
    const nameInput = page.getByLabel('Name', { exact: true })
    const save = page.getByRole('button', { name: 'Save secret' })
    await nameInput.fill('lower_case')
    expect(await nameInput.getAttribute('aria-invalid')).toBe('true')
    expect(await save.isDisabled()).toBe(true)

    await nameInput.fill('STORY_TOKEN')
    const valueInput = page.getByLabel('Value')
    expect(await valueInput.getAttribute('type')).toBe('password')
    await valueInput.fill(value)
    await save.click()
    const row = page.locator('tr[data-secret="STORY_TOKEN"]')
    await row.waitFor()
    await page.getByRole('status').filter({ hasText: 'Set STORY_TOKEN.' }).waitFor()
    expect(await valueInput.inputValue()).toBe('')
    await nameInput.fill('STORY_TOKEN')
    await valueInput.fill(`${value}-2`)
    await save.click()
    await page.getByRole('status').filter({ hasText: 'Replaced STORY_TOKEN.' }).waitFor()
    await page.reload()
    await row.waitFor()
    expect(await page.content()).not.toContain(value)
    await browser.screenshot('07b-secrets')

    await nameInput.fill('SCRATCH_SECRET')
    await valueInput.fill('scratch')
    await save.click()
    const scratch = page.locator('tr[data-secret="SCRATCH_SECRET"]')
    await scratch.waitFor()
    await scratch.getByRole('button', { name: 'Delete SCRATCH_SECRET' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete secret' }).click()
    await poll(() => scratch.count()).toBe(0)
    expect(await row.count()).toBe(1)
  })

  it('enables tools and adds an MCP server whose header sends a secret, refusing a private address', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.getByRole('link', { name: 'Edit', exact: true }).click()
    const tool = (name: string) => page.locator(`input[name="tool"][value="${name}"]`)
    // A new superfriend starts with the safe tools.
    expect(await tool('memory').isChecked()).toBe(true)
    expect(await tool('clock').isChecked()).toBe(true)
    expect(await tool('http_fetch').isChecked()).toBe(false)
    await tool('http_fetch').check()

    await page.getByRole('button', { name: 'Add an MCP server' }).click()
    await page.getByLabel('Server name').fill('search')
    await page.getByLabel('Server URL').fill('http://169.254.169.254/mcp')
    await page.getByLabel('Header (optional)').fill('authorization')
    await page.getByLabel('Secret it sends').fill('STORY_TOKEN')
    const errorsBefore = browser.errors.length
    await page.getByRole('button', { name: 'Save changes' }).click()
    const alert = page.getByRole('alert')
    await poll(() => alert.textContent()).toContain('mcpServers.0.url')
    // The refusal itself is the one console line Chromium writes for a 422 answer; nothing else may be there.
    expect(browser.errors.splice(errorsBefore).filter((line) => !line.includes('422'))).toEqual([])
    await browser.screenshot('07c-mcp-refused')

    // A public address is accepted (it is judged, not contacted); the header names the secret set above.
    await page.getByLabel('Server URL').fill('https://93.184.216.34/mcp')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.waitForURL(/#\/superfriends$/)
    await page.locator(`.agent[data-slug="${slug}"]`).getByRole('link', { name: /^Edit / }).click()
    expect(await tool('http_fetch').isChecked()).toBe(true)
    expect(await page.getByLabel('Server URL').inputValue()).toBe('https://93.184.216.34/mcp')
    expect(await page.getByLabel('Secret it sends').inputValue()).toBe('STORY_TOKEN')
    await browser.screenshot('07d-tools')

    // Removed again: later steps chat with Ada, and this address is nobody's MCP server.
    await page.getByRole('button', { name: 'Remove MCP server search' }).click()
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.waitForURL(/#\/superfriends$/)
    await page.locator(`.agent[data-slug="${slug}"]`).getByRole('link', { name: /^Edit / }).click()
    expect(await page.getByLabel('Server URL').count()).toBe(0)
    await page.getByRole('link', { name: 'Cancel' }).click()
  })

  it('shows the tool calls of a reply as folded steps, live and in the stored conversation', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.evaluate((to) => { window.location.hash = to }, `#/superfriends/${slug}`)
    await page.getByRole('button', { name: 'New conversation' }).click()
    // The local model calls a tool it was offered for a line `use <tool>` (agent/README.md).
    await page.getByLabel('Message to Ada Story').fill('What time is it?\nuse clock')
    await page.keyboard.press('Enter')
    const reply = page.locator('.bubble.assistant').last()
    await expect.poll(() => reply.getAttribute('data-streaming'), { timeout: SLOW_STEP_MS }).toBe('false')
    const step = reply.locator('.tool-step[data-tool="clock"]')
    expect(await step.getAttribute('data-done')).toBe('true')
    expect(await step.locator('summary').textContent()).toBe('Used clock')
    expect(await step.locator('details').getAttribute('open')).toBeNull()
    expect(await step.locator('.tool-result').isVisible()).toBe(false)
    await step.locator('summary').click()
    expect(await step.locator('.tool-result').textContent()).toContain('"utc"')
    expect(await reply.locator('.text').textContent()).toContain('clock')
    await browser.screenshot('07e-tool-steps')

    // Opened again from the list, the stored tool steps fold into the reply they belong to.
    const stored = page.locator('.conversations li a', { hasText: 'What time' })
    await stored.waitFor()
    await stored.click()
    await poll(() => page.locator('.bubble').count()).toBe(2)
    const storedStep = page.locator('.bubble.assistant .tool-step[data-tool="clock"]')
    expect(await storedStep.count()).toBe(1)
    expect(await storedStep.getAttribute('data-done')).toBe('true')
  })

  it('lists superfriends with their state and last activity, edits one, and deletes one only after confirmation', { timeout: 3 * SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.getByRole('link', { name: 'Superfriends', exact: true }).first().click()
    const ada = page.locator(`.agent[data-slug="${slug}"]`)
    await ada.waitFor()
    // It just answered: awake, active moments ago.
    await expect.poll(() => ada.locator('.badge').textContent(), { timeout: SLOW_STEP_MS }).toBe('awake')
    // Activity reaches the platform in the edge's next batch.
    await expect.poll(() => ada.locator('.activity').textContent(), { timeout: SLOW_STEP_MS, interval: 1_000 })
      .toMatch(/Last activity: (just now|\d+ min ago)/)

    await ada.getByRole('link', { name: 'Edit Ada Story' }).click()
    await page.getByLabel('Name', { exact: true }).fill('Ada Story II')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await poll(() => ada.locator('h2').textContent()).toBe('Ada Story II')

    // A second superfriend, to delete.
    await page.getByRole('link', { name: 'New superfriend' }).first().click()
    await page.getByLabel('Name', { exact: true }).fill(`Scratch ${run}`)
    await page.getByLabel('Model provider').selectOption('local')
    await page.getByRole('button', { name: 'Create superfriend' }).click()
    await page.waitForURL(new RegExp(`#/superfriends/scratch-${run}$`))
    await page.getByRole('link', { name: 'Superfriends', exact: true }).first().click()
    const scratch = page.locator(`.agent[data-slug="scratch-${run}"]`)
    await scratch.waitFor()
    expect(await scratch.locator('.badge').textContent()).toBe('asleep')
    expect(await scratch.locator('.activity').textContent()).toBe('Last activity: never')
    await browser.screenshot('08-superfriends')

    await scratch.getByRole('button', { name: `Delete Scratch ${run}` }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    await browser.screenshot('09-delete-confirmation', { fullPage: false })
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await scratch.count()).toBe(1)
    await scratch.getByRole('button', { name: `Delete Scratch ${run}` }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete superfriend' }).click()
    await poll(() => scratch.count()).toBe(0)
    await page.reload()
    await ada.waitFor()
    expect(await scratch.count()).toBe(0)
  })

  it('creates an API key shown once with a copy button, lists it by prefix and revokes it', { timeout: SLOW_STEP_MS }, async () => {
    const { page, context } = browser
    needsCors()
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: platform.appUrl })
    await page.getByRole('link', { name: 'API keys' }).click()
    await page.getByLabel('Name', { exact: true }).fill('story key')
    await page.getByRole('button', { name: 'Create key' }).click()
    const secret = page.getByLabel('New API key')
    await secret.waitFor()
    const key = await secret.inputValue()
    expect(key).toMatch(/^mi_[a-z0-9]+_\S+$/)
    await page.getByRole('button', { name: 'Copy', exact: true }).click()
    await page.getByRole('button', { name: 'Copied' }).waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key)

    const prefix = key.split('_')[1]!
    const row = page.locator(`tr[data-prefix="${prefix}"]`)
    expect(await row.locator('td').first().textContent()).toBe(`mi_${prefix}_…`)
    expect(await row.textContent()).not.toContain(key.split('_').slice(2).join('_'))
    // The key works through the edge's public API host, until it is revoked.
    const listAgents = () => edgeRequest(platform.edgeUrl, 'api.localhost', '/v1/agents', { headers: { authorization: `Bearer ${key}` } })
    expect((await listAgents()).status).toBe(200)
    await browser.screenshot('10-api-key-created')

    await row.getByRole('button', { name: /^Revoke story key/ }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click()
    await poll(() => row.locator('.badge').textContent()).toMatch(/^revoked/)
    expect((await listAgents()).status).toBe(401)

    // Shown once: after a reload only the prefix is left.
    await page.reload()
    await row.waitFor()
    expect(await page.getByLabel('New API key').count()).toBe(0)
    await browser.screenshot('11-api-keys')
  })

  it('revokes with a key every key minted from it, shows them revoked at once and says how many', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    // Only a signed-in owner may make a key that manages keys; that key then mints one through the API.
    await page.getByLabel('Name', { exact: true }).fill('story manager')
    await page.getByRole('checkbox', { name: /^api-keys:write/ }).check()
    await page.getByRole('button', { name: 'Create key' }).click()
    const secret = page.getByLabel('New API key')
    await secret.waitFor()
    const manager = await secret.inputValue()
    const minted = await edgeRequest(platform.edgeUrl, 'api.localhost', '/v1/api-keys', {
      method: 'POST',
      headers: { 'authorization': `Bearer ${manager}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'story minted', scopes: ['agents:read'] }),
    })
    expect(minted.status, minted.body).toBe(201)
    const child = page.locator(`tr[data-prefix="${(JSON.parse(minted.body) as { prefix: string }).prefix}"]`)
    await page.reload()
    expect(await child.locator('.badge').textContent()).toBe('active')

    const managerRow = page.locator(`tr[data-prefix="${manager.split('_')[1]!}"]`)
    await managerRow.getByRole('button', { name: /^Revoke story manager/ }).click()
    const dialog = page.getByRole('dialog')
    expect(await dialog.textContent()).toContain('Keys it minted')
    await dialog.getByRole('button', { name: 'Revoke key' }).click()
    // No reload: the page itself shows the minted key revoked with its parent.
    await poll(() => child.locator('.badge').textContent()).toMatch(/^revoked/)
    expect(await managerRow.locator('.badge').textContent()).toMatch(/^revoked/)
    expect(await page.locator('.notice').textContent()).toBe('Revoked “story manager” and 1 key minted from it.')
    await browser.screenshot('11b-api-key-revoked-with-minted')
  })

  it("shows that day's usage per superfriend in the chart and the table", async () => {
    const { page } = browser
    needsCors()
    await page.getByRole('link', { name: 'Usage' }).click()
    const bar = page.locator(`svg g.day[data-day="${today}"] rect.bar[data-agent="${slug}"]`)
    // The edge and the runtime report usage in batches: refresh until today's figures have landed.
    await expect.poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click()
      return bar.count()
    }, { timeout: SLOW_STEP_MS, interval: 2_000 }).toBe(1)
    expect(Number(await bar.getAttribute('data-value'))).toBeGreaterThanOrEqual(1)
    expect(await bar.locator('title').textContent()).toMatch(new RegExp(`^${today} · Ada Story II: \\d+$`))
    const row = page.locator(`table.usage tr[data-day="${today}"][data-agent="${slug}"]`)
    expect(Number(await row.locator('td').nth(2).textContent())).toBeGreaterThanOrEqual(1)
    await browser.screenshot('12-usage')

    await page.getByRole('button', { name: 'Wakes' }).click()
    expect(await page.getByRole('button', { name: 'Wakes' }).getAttribute('aria-pressed')).toBe('true')
    expect(await page.locator('svg title#chart-title').textContent()).toBe('Wakes per day')
  }, SLOW_STEP_MS + 30_000)

  it('can be worked with the keyboard alone', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.getByRole('link', { name: 'Superfriends', exact: true }).first().click()
    await page.locator(`.agent[data-slug="${slug}"]`).waitFor()
    await page.reload()
    await page.locator(`.agent[data-slug="${slug}"]`).waitFor()
    const reached: string[] = []
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Tab')
      reached.push(await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null
        return el ? `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}` : ''
      }))
    }
    expect(reached).toContain('a:Skip to content')
    expect(reached).toContain('a:API keys')
    expect(reached).toContain('a:New superfriend')
    expect(reached).toContain('a:Chat with Ada Story II')
    // Enter follows the focused link.
    for (let i = 0; i < 20 && (await page.evaluate(() => document.activeElement?.textContent)) !== 'API keys'; i++) {
      await page.keyboard.press('Shift+Tab')
    }
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'API keys' }).waitFor()
  })

  it('fits a phone screen on every page, and signs out back to the signed-out page', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.setViewportSize({ width: 390, height: 844 })
    try {
      const pages = [
        { name: '13-superfriends-phone', link: 'Superfriends', ready: page.locator(`.agent[data-slug="${slug}"]`) },
        { name: '14-api-keys-phone', link: 'API keys', ready: page.locator('table.keys') },
        { name: '15-usage-phone', link: 'Usage', ready: page.locator('figure.chart svg') },
      ]
      for (const { name, link, ready } of pages) {
        await page.getByRole('link', { name: link, exact: true }).click()
        await ready.waitFor()
        await browser.screenshot(name)
        expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(390)
      }
      // A superfriend's schedules and runs (six tabs, and tables of their own).
      await page.getByRole('link', { name: 'Superfriends', exact: true }).first().click()
      await page.getByRole('link', { name: 'Chat with Ada Story II' }).click()
      for (const { name, link, ready } of [
        { name: '15b-schedules-phone', link: 'Schedules', ready: page.locator('table.schedules') },
        { name: '15c-runs-phone', link: 'Runs', ready: page.locator('table.runs') },
      ]) {
        await page.getByRole('link', { name: link, exact: true }).click()
        await ready.waitFor()
        await browser.screenshot(name)
        expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(390)
      }
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByRole('heading', { name: 'Your superfriends' }).waitFor()
      await browser.screenshot('16-signed-out-phone')
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      // Signed out stays signed out after a reload.
      await page.reload()
      await page.getByRole('button', { name: 'Sign in' }).waitFor()
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 })
    }
  })

  it('logged no console errors on any page', () => {
    needsCors()
    expect(browser.page.url()).toContain(platform.appUrl)
    expect(browser.errors).toEqual([])
  })

  // After the console check on purpose: the refused request below is logged by Chromium as a failed load.
  it('goes back to the signed-out page when the session is no longer accepted', { timeout: SLOW_STEP_MS }, async () => {
    const { page } = browser
    needsCors()
    await page.goto(platform.appUrl)
    const signOut = page.getByRole('button', { name: 'Sign out' })
    const emailField = page.getByLabel('Email')
    await signOut.or(emailField).waitFor()
    if (await signOut.isVisible()) await signOut.click()
    await emailField.fill(email)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Superfriends', exact: true }).waitFor()
    // A token the platform did not sign, as if it had expired or the issuer's keys had rotated.
    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem('myintell.dev-session')!) as { token: string }
      localStorage.setItem('myintell.dev-session', JSON.stringify({ ...session, token: `${session.token.slice(0, -4)}AAAA` }))
    })
    await page.reload()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    expect(await page.evaluate(() => localStorage.getItem('myintell.dev-session'))).toBeNull()
  })
})
