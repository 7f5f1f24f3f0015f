// Picks the provider named in the agent's config (the names are wire/model-providers.ts's, which the cluster-api
// validates against) and builds it from the agent's secrets.
// Base URLs are read from the secrets map too (ANTHROPIC_BASE_URL, OPENAI_BASE_URL), so self-hosted servers work per agent.
import { isOpenAiCompatible } from '../../../wire/model-providers.ts'
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import { anthropicProvider } from './anthropic.ts'
import { localProvider } from './local.ts'
import { openAiCompatibleProvider } from './openai-compatible.ts'
import { DEFAULT_RETRY, withRetry } from './retry.ts'
import type { RetryOptions } from './retry.ts'
import { ProviderError } from './types.ts'
import type { ModelProvider } from './types.ts'

export interface ProviderSettings {
  /** No first byte / no chunk for this long is a timeout (ms). */
  timeoutMs: number
  retry: RetryOptions
  /** Overrides every provider's context window (tokens); null = the provider's own figure. */
  contextWindowTokens: number | null
  localTokenDelayMs: number
}

export const DEFAULT_PROVIDER_SETTINGS: ProviderSettings = { timeoutMs: 60_000, retry: DEFAULT_RETRY, contextWindowTokens: null, localTokenDelayMs: 0 }

function secret(config: RuntimeConfig, name: string): string | undefined {
  return config.secrets[name] || undefined
}

export function buildProvider(config: RuntimeConfig, settings: ProviderSettings = DEFAULT_PROVIDER_SETTINGS): ModelProvider {
  const name = config.model.provider
  let provider: ModelProvider
  if (name === 'local') {
    provider = localProvider({ tokenDelayMs: settings.localTokenDelayMs, ...(settings.contextWindowTokens ? { contextWindowTokens: settings.contextWindowTokens } : {}) })
  } else if (name === 'anthropic') {
    const apiKey = secret(config, 'ANTHROPIC_API_KEY')
    if (!apiKey) return failing(name, new ProviderError('auth_error', 'ANTHROPIC_API_KEY is not set for this agent'))
    provider = anthropicProvider({ apiKey, baseUrl: secret(config, 'ANTHROPIC_BASE_URL'), timeoutMs: settings.timeoutMs })
  } else if (isOpenAiCompatible(name)) {
    // Local servers (Ollama, llama.cpp) need no key; OpenAI itself answers 401, which the user sees.
    provider = openAiCompatibleProvider({
      apiKey: secret(config, 'OPENAI_API_KEY') ?? '',
      baseUrl: secret(config, 'OPENAI_BASE_URL'),
      timeoutMs: settings.timeoutMs,
      ...(settings.contextWindowTokens ? { contextWindowTokens: settings.contextWindowTokens } : {}),
    })
  } else {
    return failing(name, new ProviderError('unknown_provider', `unknown model provider "${name}"`))
  }
  if (settings.contextWindowTokens && name !== 'local' && !isOpenAiCompatible(name)) {
    const inner = provider
    provider = { ...inner, contextWindowTokens: () => settings.contextWindowTokens! }
  }
  return withRetry(provider, settings.retry)
}

/** A provider that cannot work (no key, unknown name): every turn ends in a clear error event instead of a crash. */
function failing(name: string, error: ProviderError): ModelProvider {
  return {
    name,
    contextWindowTokens: () => 4_096,
    // eslint-disable-next-line require-yield
    async *stream() {
      throw error
    },
  }
}
