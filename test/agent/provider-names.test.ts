// The provider names the cluster-api accepts (wire/model-providers.ts) are exactly the ones the runtime's
// registry can serve: every listed name builds a real provider (which here fails only to reach its closed
// server), and a name off the list is the runtime's unknown_provider.

import { describe, expect, it } from 'vitest'
import { runToolLoop } from '../../agent/src/chat/tool-loop.ts'
import { buildModel, DEFAULT_PROVIDER_SETTINGS } from '../../agent/src/providers/registry.ts'
import { freePort } from '../../cluster-api/src/db/free-port.ts'
import { MODEL_PROVIDERS } from '../../wire/model-providers.ts'
import { agentConfig } from './support/agent-config.ts'

async function firstOutcome(provider: string, closedUrl: string): Promise<string> {
  const config = agentConfig('postgres://unused', {
    model: { provider, model: 'some-model' },
    secrets: {
      ANTHROPIC_API_KEY: 'test-key', OPENAI_API_KEY: 'test-key', GOOGLE_API_KEY: 'test-key', OPENROUTER_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: closedUrl, OPENAI_BASE_URL: closedUrl, GOOGLE_BASE_URL: closedUrl, OPENROUTER_BASE_URL: closedUrl,
    },
  })
  const model = buildModel(config, { ...DEFAULT_PROVIDER_SETTINGS, timeoutMs: 2_000, maxRetries: 0 })
  try {
    for await (const event of runToolLoop({
      model, system: '', messages: [{ role: 'user', content: 'hi' }], tools: {}, maxOutputTokens: 16, signal: new AbortController().signal,
      bounds: { maxSteps: 1, turnTimeoutMs: 5_000, providerTimeoutMs: 2_000 },
    })) {
      if (event.type === 'delta') return 'answered'
      if (event.type === 'failure') return event.error.code
    }
    return 'ended'
  } catch {
    return 'crashed'
  }
}

describe('provider names shared by the cluster-api and the runtime', () => {
  it('builds a real provider for every name the cluster-api accepts', async () => {
    const closedUrl = `http://127.0.0.1:${await freePort()}`
    for (const name of MODEL_PROVIDERS) {
      const outcome = await firstOutcome(name, closedUrl)
      expect(outcome, name).not.toBe('unknown_provider')
      expect(outcome, name).not.toBe('crashed')
    }
  })

  it('treats a name off the list as unknown_provider (control)', async () => {
    const closedUrl = `http://127.0.0.1:${await freePort()}`
    for (const name of ['../../etc/passwd', 'no-such-provider', 'Anthropic']) {
      expect(await firstOutcome(name, closedUrl), name).toBe('unknown_provider')
    }
  })
})
