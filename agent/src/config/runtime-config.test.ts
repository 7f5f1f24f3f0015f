import { describe, expect, it } from 'vitest'
import { parseRuntimeConfig } from './runtime-config.ts'

const config = {
  agentId: 'a1', slug: 'ada', tenantId: 't1', tenantSlug: 'acme', name: 'Ada',
  persona: { systemPrompt: '', style: '' }, model: { provider: 'local', model: 'local-dev' }, visibility: 'private',
  tenantDatabaseUrl: 'postgres://x', signingKey: 'a'.repeat(64), secrets: { OPENAI_API_KEY: 'sk' },
}

describe('the runtime config from the platform', () => {
  it('keeps the tools, MCP servers and workspace directory the platform gives the agent', () => {
    const parsed = parseRuntimeConfig({
      ...config, tools: ['workspace'], mcpServers: [{ name: 'gh', url: 'https://mcp.example.test/', headers: { authorization: 'GH' } }],
      workspaceDir: '/data/workspaces/a1',
    })
    expect(parsed.ok && parsed.config).toMatchObject({ tools: ['workspace'], mcpServers: [{ name: 'gh' }], workspaceDir: '/data/workspaces/a1' })
  })

  it('refuses an empty workspace directory, and takes a config without one', () => {
    expect(parseRuntimeConfig({ ...config, workspaceDir: '' }).ok).toBe(false)
    const parsed = parseRuntimeConfig(config)
    expect(parsed.ok && parsed.config.workspaceDir).toBeUndefined()
  })
})
