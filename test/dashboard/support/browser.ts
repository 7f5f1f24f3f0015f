// Debian's Chromium driven by playwright-core for the dashboard's browser tests: headless, a fresh profile,
// no background traffic (this machine's network is closed), and every console error and page error kept.

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../../test-output/dashboard')

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic',
  // Escape hatch for a developer while api.<base> and <slug>.<base> do not answer CORS for app.<base> yet:
  // MYINTELL_TEST_NO_CORS=1 turns the browser's same-origin checks off. Never set in CI: the tests must see CORS.
  ...(process.env.MYINTELL_TEST_NO_CORS === '1' ? ['--disable-web-security'] : []),
]

export interface TestBrowser {
  context: BrowserContext
  page: Page
  /** Console errors and uncaught page errors, in order. */
  errors: string[]
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<string>
  close(): Promise<void>
}

export async function launchBrowser(viewport = { width: 1280, height: 860 }): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'myintell-dashboard-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport,
  })
  const page = context.pages()[0] ?? await context.newPage()
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`)
  })
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`))
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  // Failure screenshots of an earlier run would mislead.
  for (const file of readdirSync(SCREENSHOT_DIR)) if (file.startsWith('failed-')) rmSync(join(SCREENSHOT_DIR, file))
  return {
    context, page, errors,
    async screenshot(name, options = {}) {
      const path = join(SCREENSHOT_DIR, `${name}.png`)
      await page.screenshot({ path, fullPage: options.fullPage ?? true })
      return path
    },
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
