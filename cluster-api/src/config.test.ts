import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { SettingsError } from '../../wire/settings.ts'
import { loadConfig, readSettings } from './config.ts'

const SECRET = 'config-test-signing-secret-0123456789abcdef'
const dataDir = mkdtempSync(join(tmpdir(), 'myintell-config-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const load = (env: Record<string, string>) => loadConfig({ EDGE_SIGNING_SECRET: SECRET, MYINTELL_DATA_DIR: dataDir, ...env })

function issuesOf(run: () => unknown): readonly string[] {
  try {
    run()
  } catch (error) {
    if (error instanceof SettingsError) return error.issues
    throw error
  }
  throw new Error('expected a SettingsError')
}

describe('cluster-api configuration', () => {
  it('defaults to the local driver with its own section, and takes an idle timeout of 0 for never', () => {
    expect(load({}).driver).toMatchObject({
      name: 'local', idleTimeoutMs: 300_000,
      local: { warmPoolSize: 2, ingressPort: 8789, ingressHost: '127.0.0.1', startTimeoutMs: 30_000, drainTimeoutMs: 10_000, runtimeEntry: undefined },
    })
    const never = load({ MYINTELL_IDLE_TIMEOUT_MS: '0', MYINTELL_WARM_POOL_SIZE: '0', MYINTELL_INGRESS_PORT: '0' })
    expect(never.idleTimeoutMs).toBe(0)
    expect(never.driver).toMatchObject({ name: 'local', idleTimeoutMs: 0, local: { warmPoolSize: 0, ingressPort: 0 } })
  })

  it('reads the kubernetes section only for the kubernetes driver', () => {
    expect(load({ MYINTELL_DRIVER: 'kubernetes', MYINTELL_INGRESS_ENTRYPOINTS: 'websecure', MYINTELL_RECONCILE_INTERVAL_MS: '0', MYINTELL_WARM_POOL_SIZE: 'many' }).driver)
      .toEqual({ name: 'kubernetes', kubernetes: { image: 'ghcr.io/myintell/agent:latest', ingressNamespace: 'kube-system', entryPoints: ['websecure'], reconcileIntervalMs: 0 } })
    expect(load({ MYINTELL_DRIVER: 'none' }).driver).toBeNull()
  })

  it('names every bad variable of the core and of the chosen driver in one error', () => {
    expect(issuesOf(() => load({ PORT: 'eighty', MYINTELL_IDLE_TIMEOUT_MS: '-1', MYINTELL_WARM_POOL_SIZE: 'two', MYINTELL_START_TIMEOUT_MS: '1s' })).map((i) => i.split(':')[0]))
      .toEqual(['PORT', 'MYINTELL_IDLE_TIMEOUT_MS', 'MYINTELL_WARM_POOL_SIZE', 'MYINTELL_START_TIMEOUT_MS'])
    expect(issuesOf(() => load({ MYINTELL_DRIVER: 'kubernetes', MYINTELL_RECONCILE_INTERVAL_MS: 'often' }))).toEqual([
      'MYINTELL_RECONCILE_INTERVAL_MS: must be an integer >= 0 (ms), got "often"',
    ])
  })

  it('hands runtimes the inherited variables only, never the platform\'s secrets', () => {
    const { driver } = readSettings({ PATH: '/bin', HOME: '/home/x', LOG_LEVEL: 'debug', EDGE_SIGNING_SECRET: SECRET, DATABASE_URL: 'postgres://u:pw@h/db' })
    expect(driver).toMatchObject({ name: 'local', inheritedEnv: { PATH: '/bin', HOME: '/home/x', LOG_LEVEL: 'debug' } })
    expect(JSON.stringify(driver)).not.toContain(SECRET)
    expect(JSON.stringify(driver)).not.toContain('pw@')
  })

  it('keeps provider keys for runtimes and never echoes a bad secret', () => {
    expect(load({ ANTHROPIC_API_KEY: 'sk-ant-1', OPENAI_API_KEY: ' ' }).runtimeSecrets).toEqual({ ANTHROPIC_API_KEY: 'sk-ant-1' })
    const issues = issuesOf(() => load({ CLERK_WEBHOOK_SECRET: 'not-a-whsec-value', DATABASE_URL: 'mysql://u:hunter2@h/db' }))
    expect(issues.join('\n')).not.toMatch(/not-a-whsec-value|hunter2/)
    expect(issues.map((i) => i.split(':')[0])).toEqual(['DATABASE_URL', 'CLERK_WEBHOOK_SECRET'])
  })
})
