import { describe, expect, it } from 'vitest'
import { agentConfig } from '../../../test/agent/support/agent-config.ts'
import { SettingsError } from '../../../wire/settings.ts'
import { DEFAULT_DRAIN_TIMEOUT_MS, logLevelFor, readSettings } from './env.ts'

describe('runtime settings', () => {
  it('is a warm-pool process with the documented defaults when nothing is set', () => {
    const { egress, ...rest } = readSettings({})
    expect(rest).toEqual({
      port: 8080, host: '127.0.0.1', config: null, controlToken: null, platformUrl: null, drainTimeoutMs: DEFAULT_DRAIN_TIMEOUT_MS,
      maxMessageChars: 32_000, usageFlushIntervalMs: 5_000, providerTimeoutMs: 60_000, contextWindowTokens: null, localTokenDelayMs: 0,
      toolMaxSteps: 8, turnTimeoutMs: 300_000, workspaceDir: null, workspaceQuotaBytes: 50 * 1024 * 1024, logLevel: 'info',
      tracing: { endpoint: undefined, serviceName: 'myintell-agent', headers: {} },
    })
    // No allowlist: private addresses are refused, public ones allowed.
    expect(egress.allowlist).toEqual([])
    expect(egress.allows('localhost', '127.0.0.1')).toBe(false)
    expect(egress.allows('example.com', '93.184.215.14')).toBe(true)
  })

  it('reads the tool settings, the egress allowlist among them', () => {
    const s = readSettings({ MYINTELL_TOOL_MAX_STEPS: '3', MYINTELL_TURN_TIMEOUT_MS: '1000', MYINTELL_EGRESS_ALLOW: '127.0.0.1, 10.0.0.0/8', MYINTELL_WORKSPACE_DIR: '/workspace', MYINTELL_WORKSPACE_QUOTA_BYTES: '1024' })
    expect(s).toMatchObject({ toolMaxSteps: 3, turnTimeoutMs: 1000, workspaceDir: '/workspace', workspaceQuotaBytes: 1024 })
    expect(s.egress.allows('127.0.0.1', '127.0.0.1')).toBe(true)
    expect(s.egress.allows('10.1.2.3', '10.1.2.3')).toBe(true)
    expect(s.egress.allows('169.254.169.254', '169.254.169.254')).toBe(false)
    expect(() => readSettings({ MYINTELL_EGRESS_ALLOW: 'not a host!' })).toThrow(SettingsError)
    expect(() => readSettings({ MYINTELL_TOOL_MAX_STEPS: '0' })).toThrow(SettingsError)
  })

  it('reads the OpenTelemetry exporter settings the local driver hands on', () => {
    const settings = readSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_HEADERS: 'x-key=a%3Db' })
    expect(settings.tracing).toEqual({ endpoint: 'http://127.0.0.1:4318', serviceName: 'myintell-agent', headers: { 'x-key': 'a=b' } })
    expect(() => readSettings({ OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign' })).toThrow('OTEL_EXPORTER_OTLP_HEADERS')
  })

  it('reads an assigned agent\'s config and takes 0 where it has a meaning', () => {
    const config = agentConfig('postgres://tenant:pw@127.0.0.1:5432/acme')
    const settings = readSettings({ MYINTELL_AGENT_CONFIG: JSON.stringify(config), PORT: '0', MYINTELL_DRAIN_TIMEOUT_MS: '0', MYINTELL_CONTEXT_WINDOW_TOKENS: '4096' })
    expect(settings).toMatchObject({ config, port: 0, drainTimeoutMs: 0, contextWindowTokens: 4096 })
  })

  it('names every bad variable, and never echoes the config or the control token', () => {
    let error: unknown
    try {
      readSettings({ MYINTELL_AGENT_CONFIG: '{"signingKey": "sekrit-key"', MYINTELL_MAX_MESSAGE_CHARS: '0', MYINTELL_CONTEXT_WINDOW_TOKENS: '100', LOG_LEVEL: 'loud', MYINTELL_PLATFORM_URL: 'cluster-api' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SettingsError)
    expect((error as SettingsError).issues.map((i) => i.split(':')[0]))
      .toEqual(['MYINTELL_AGENT_CONFIG', 'MYINTELL_PLATFORM_URL', 'MYINTELL_MAX_MESSAGE_CHARS', 'MYINTELL_CONTEXT_WINDOW_TOKENS', 'LOG_LEVEL'])
    expect((error as Error).message).not.toContain('sekrit-key')
  })

  it('reports bad configuration at the configured log level when that much parses', () => {
    expect(logLevelFor({ LOG_LEVEL: 'warn', PORT: 'x' })).toBe('warn')
    expect(logLevelFor({ LOG_LEVEL: 'loud' })).toBe('info')
  })
})
