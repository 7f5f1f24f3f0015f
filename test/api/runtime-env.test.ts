// What every runtime gets in its environment from the platform's settings: the egress allowlist and the workspace
// quota, through the driver factory into the local driver's process environment (never the platform's secrets).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig, runtimeEnvOf } from '../../cluster-api/src/config.ts'
import { resolveSettings } from '../../cluster-api/src/drivers/local/options.ts'
import { SettingsError } from '../../wire/settings.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'myintell-runtime-env-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))
const base = { EDGE_SIGNING_SECRET: 'runtime-env-test-signing-secret-0123456789abcdef', MYINTELL_DATA_DIR: dataDir }

describe('the runtime environment from the platform settings', () => {
  it('hands MYINTELL_EGRESS_ALLOW and MYINTELL_WORKSPACE_QUOTA_BYTES to every local runtime, and nothing secret', () => {
    const config = loadConfig({
      ...base, MYINTELL_EGRESS_ALLOW: '127.0.0.1,10.0.0.0/8', MYINTELL_WORKSPACE_QUOTA_BYTES: '1048576', OPENAI_API_KEY: 'sk-platform',
      MYINTELL_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
    })
    const env = runtimeEnvOf(config)
    expect(env).toEqual({ MYINTELL_EGRESS_ALLOW: '127.0.0.1,10.0.0.0/8', MYINTELL_WORKSPACE_QUOTA_BYTES: '1048576' })
    const local = resolveSettings({ signingSecret: base.EDGE_SIGNING_SECRET, platformUrl: 'http://127.0.0.1:1', runtimeEnv: env })
    expect(local.baseEnv).toMatchObject(env)
    const values = Object.values(local.baseEnv).join('\n')
    expect(values).not.toContain('sk-platform')
    expect(values).not.toContain(Buffer.alloc(32, 7).toString('base64'))
    expect(config.runtimeSecrets).toEqual({ OPENAI_API_KEY: 'sk-platform' })
  })

  it('hands nothing when neither is set, and refuses a bad allowlist entry at start-up', () => {
    expect(runtimeEnvOf(loadConfig(base))).toEqual({})
    let issues: readonly string[] = []
    try {
      loadConfig({ ...base, MYINTELL_EGRESS_ALLOW: 'http://nope' })
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error
      issues = error.issues
    }
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatch(/^MYINTELL_EGRESS_ALLOW:/)
  })

  it('hands the platform\'s OTLP endpoint and headers to runtimes, not its service name', () => {
    const config = loadConfig({
      ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.example:4318', OTEL_EXPORTER_OTLP_HEADERS: 'x-key=a%2Cb', OTEL_SERVICE_NAME: 'platform',
    })
    expect(runtimeEnvOf(config)).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.example:4318', OTEL_EXPORTER_OTLP_HEADERS: 'x-key=a%2Cb' })
  })

  it('passes OPENAI_BASE_URL and ANTHROPIC_BASE_URL to runtimes as defaults', () => {
    const config = loadConfig({ ...base, OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', ANTHROPIC_BASE_URL: 'https://anthropic.example.test' })
    expect(config.runtimeSecrets).toEqual({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', ANTHROPIC_BASE_URL: 'https://anthropic.example.test' })
  })
})
