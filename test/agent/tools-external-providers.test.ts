// The outside-reaching tools in a real provider's round trip: the AI SDK's Anthropic and OpenAI clients against their
// doubles offer the MCP tools with the server's JSON schema, the model calls an MCP tool, http_fetch and the workspace
// in one step, and the results (and the refusal, as an error) reach the provider in its own format.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAnthropic } from '@ai-sdk/anthropic'
import { createOpenAI } from '@ai-sdk/openai'
import { isStepCount, streamText } from 'ai'
import type { LanguageModel } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalTools } from '../../agent/src/tools/external.ts'
import { clearMcpListCache } from '../../agent/src/tools/mcp.ts'
import { egressPolicy } from '../../wire/egress.ts'
import { startFakeAnthropic } from '../fakes/anthropic-api.ts'
import { startFakeMcpServer } from '../fakes/mcp-server.ts'
import type { FakeMcpServer } from '../fakes/mcp-server.ts'
import { startFakeOpenAi } from '../fakes/openai-api.ts'
import type { FakeProvider } from '../fakes/provider-script.ts'

const cases = [
  {
    name: 'anthropic', start: () => startFakeAnthropic(),
    model: (fake: FakeProvider): LanguageModel => createAnthropic({ apiKey: 'sk-ant-test', baseURL: `${fake.url}/v1` })('claude-haiku-4-5'),
    schemaOf: (body: any, name: string) => body.tools.find((t: any) => t.name === name)?.input_schema,
  },
  {
    name: 'openai chat completions', start: () => startFakeOpenAi(),
    model: (fake: FakeProvider): LanguageModel => createOpenAI({ apiKey: 'sk-openai-test', baseURL: `${fake.url}/v1` }).chat('gpt-test'),
    schemaOf: (body: any, name: string) => body.tools.find((t: any) => t.function?.name === name)?.function.parameters,
  },
]

let mcp: FakeMcpServer
const base = mkdtempSync(join(tmpdir(), 'myintell-tools-providers-'))
beforeAll(async () => { mcp = await startFakeMcpServer() })
afterAll(async () => { await mcp.close(); rmSync(base, { recursive: true, force: true }) })

for (const c of cases) {
  describe(`external tools through the ${c.name} double`, () => {
    let fake: FakeProvider
    beforeAll(async () => { fake = await c.start() })
    afterAll(async () => { await fake.close() })

    it('offers MCP tools with their schema, runs MCP, http_fetch and workspace calls, and sends the results back', async () => {
      clearMcpListCache()
      const workspaceDir = join(base, c.name.replace(/\W+/g, '-'))
      const set = await externalTools({
        enabled: ['workspace', 'http_fetch'], mcpServers: [{ name: 'calc', url: mcp.url }], secrets: {},
        // The MCP double listens on 127.0.0.1, which the allowlist lets through; cloud metadata stays refused.
        egress: egressPolicy('127.0.0.1'), workspaceDir, workspaceQuotaBytes: 10_000,
      })
      try {
        const before = fake.requests.length
        fake.enqueue(
          { kind: 'tool-calls', calls: [
            { name: 'calc__add', args: { a: 19, b: 23 } },
            { name: 'http_fetch', args: { url: 'http://169.254.169.254/latest/meta-data/' } },
            { name: 'workspace_write', args: { path: 'answer.txt', content: 'forty-two' } },
          ] },
          { kind: 'reply', text: 'All done.' },
        )
        const result = streamText({ model: c.model(fake), tools: set.tools, stopWhen: isStepCount(3), prompt: 'Add, fetch and save.' })
        const parts: Array<{ type: string; [k: string]: unknown }> = []
        for await (const part of result.fullStream) parts.push(part as never)

        expect(await result.text).toBe('All done.')
        const [first, second] = fake.requests.slice(before)
        expect(fake.toolNames(first).sort()).toEqual([
          'calc__add', 'calc__echo', 'calc__fail', 'calc__slow', 'http_fetch', 'workspace_delete', 'workspace_list', 'workspace_read', 'workspace_write',
        ])
        expect(c.schemaOf(first!.body, 'calc__add')).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] })

        const seen = fake.toolResults(second)
        expect(seen).toHaveLength(3)
        // The double parses text that holds JSON: the MCP tool's text "42" arrives as 42.
        expect(seen[0]?.output).toBe(42)
        expect(JSON.stringify(seen[1]?.output)).toMatch(/169\.254\.169\.254.*private or reserved address/)
        if (c.name === 'anthropic') expect(seen[1]?.isError).toBe(true)
        expect(seen[2]?.output).toMatchObject({ path: 'answer.txt', size: 9 })
        expect(parts.filter((p) => p.type === 'tool-error').map((p) => p.toolName)).toEqual(['http_fetch'])
        expect(readFileSync(join(workspaceDir, 'answer.txt'), 'utf8')).toBe('forty-two')
        expect(mcp.calls.at(-1)).toMatchObject({ tool: 'add', args: { a: 19, b: 23 } })
      } finally {
        await set.close()
      }
    })
  })
}
