// Builds the agent's model on the Vercel AI SDK from the provider its config names (wire/model-providers.ts, which
// the cluster-api validates against) and its secrets map: keys and base URLs per agent, so self-hosted servers work.
// A provider that cannot work (no key, unknown name) still builds: its model fails every call with a clear code.
import type { LanguageModelV4 } from '@ai-sdk/provider'
import { isOpenAiCompatible } from '../../../wire/model-providers.ts'
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import { LOCAL_CONTEXT_WINDOW_TOKENS, LocalLanguageModel } from './local.ts'
import { ProviderError } from './types.ts'
import type { AgentModel } from './types.ts'

export interface ProviderSettings {
  /** A provider that sends no response headers for this long fails with a timeout (ms); the tool loop bounds chunks. */
  timeoutMs: number
  /** Retries of a call that failed before any output (the AI SDK's maxRetries; it honours retry-after). */
  maxRetries: number
  /** Overrides every provider's context window (tokens); null = the provider's own figure. */
  contextWindowTokens: number | null
  localTokenDelayMs: number
}

export const DEFAULT_PROVIDER_SETTINGS: ProviderSettings = { timeoutMs: 60_000, maxRetries: 2, contextWindowTokens: null, localTokenDelayMs: 0 }

// Every current Claude model takes 200k tokens of context, Gemini 1M; a safe floor for unknown OpenAI-compatible
// models (many local ones serve 8k). MYINTELL_CONTEXT_WINDOW_TOKENS overrides them all.
const CONTEXT_WINDOW_TOKENS: Record<string, number> = { anthropic: 200_000, google: 1_000_000, openai: 128_000 }
const OPENAI_COMPATIBLE_CONTEXT_WINDOW_TOKENS = 8_192

/** Where each OpenAI-compatible server listens when the agent names no base URL. */
const DEFAULT_BASE_URLS: Record<string, string> = {
  openai: 'https://api.openai.com/v1',
  ollama: 'http://127.0.0.1:11434/v1',
  vllm: 'http://127.0.0.1:8000/v1',
  'llama.cpp': 'http://127.0.0.1:8080/v1',
  openrouter: 'https://openrouter.ai/api/v1',
}

function secret(config: RuntimeConfig, ...names: string[]): string | undefined {
  for (const name of names) if (config.secrets[name]) return config.secrets[name]
  return undefined
}

const trimSlash = (url: string) => url.replace(/\/+$/, '')

/** ANTHROPIC_BASE_URL is the API's origin, as Anthropic's own SDKs read it; the AI SDK wants the `/v1` below it. */
function anthropicBaseUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined
  const base = trimSlash(raw)
  return base.endsWith('/v1') ? base : `${base}/v1`
}

/**
 * fetch with a bound on the wait for response headers. The AI SDK's chunk timeouts start once a call has answered;
 * a server that accepts the connection and never answers would otherwise hold the turn until its time bound.
 */
export function headerTimeoutFetch(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const timer = new AbortController()
    const t = setTimeout(() => timer.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs)
    try {
      return await fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timer.signal]) : timer.signal })
    } finally {
      clearTimeout(t)
    }
  }
}

/**
 * A model whose provider package loads on its first call. Each @ai-sdk package is a chunk of its own in the bundle,
 * so a runtime parses only the one its agent uses, and an idle runtime none.
 */
function lazyModel(provider: string, modelId: string, load: () => Promise<LanguageModelV4>): LanguageModelV4 {
  let model: Promise<LanguageModelV4> | null = null
  const get = () => (model ??= load())
  return {
    specificationVersion: 'v4', provider, modelId,
    get supportedUrls() { return {} },
    doGenerate: async (options) => (await get()).doGenerate(options),
    doStream: async (options) => (await get()).doStream(options),
  }
}

function languageModel(config: RuntimeConfig, settings: ProviderSettings): LanguageModelV4 {
  const name = config.model.provider
  const fetch = headerTimeoutFetch(settings.timeoutMs)
  const modelId = config.model.model
  if (name === 'local') return new LocalLanguageModel(modelId, { tokenDelayMs: settings.localTokenDelayMs })
  if (name === 'anthropic') {
    const apiKey = secret(config, 'ANTHROPIC_API_KEY')
    if (!apiKey) return failingModel(name, modelId, new ProviderError('auth_error', 'ANTHROPIC_API_KEY is not set for this agent'))
    const baseURL = anthropicBaseUrl(secret(config, 'ANTHROPIC_BASE_URL'))
    return lazyModel(name, modelId, async () => (await import('@ai-sdk/anthropic')).createAnthropic({ apiKey, fetch, ...(baseURL ? { baseURL } : {}) })(modelId))
  }
  if (name === 'google') {
    const apiKey = secret(config, 'GOOGLE_GENERATIVE_AI_API_KEY', 'GOOGLE_API_KEY')
    if (!apiKey) return failingModel(name, modelId, new ProviderError('auth_error', 'GOOGLE_API_KEY is not set for this agent'))
    const baseURL = secret(config, 'GOOGLE_BASE_URL')
    return lazyModel(name, modelId, async () => (await import('@ai-sdk/google')).createGoogleGenerativeAI({ apiKey, fetch, ...(baseURL ? { baseURL: trimSlash(baseURL) } : {}) })(modelId))
  }
  if (name === 'openai') {
    // Chat Completions, the API every OpenAI-compatible server shares; OpenAI itself answers 401 without a key.
    const apiKey = secret(config, 'OPENAI_API_KEY') ?? ''
    const baseURL = trimSlash(secret(config, 'OPENAI_BASE_URL') ?? DEFAULT_BASE_URLS.openai!)
    return lazyModel(name, modelId, async () => (await import('@ai-sdk/openai')).createOpenAI({ fetch, apiKey, baseURL }).chat(modelId))
  }
  if (isOpenAiCompatible(name)) {
    // Local servers (Ollama, llama.cpp) need no key. OPENAI_BASE_URL / OPENAI_API_KEY are the fallbacks, so the
    // platform's defaults reach them as before.
    const apiKey = name === 'openrouter' ? secret(config, 'OPENROUTER_API_KEY', 'OPENAI_COMPATIBLE_API_KEY') : secret(config, 'OPENAI_COMPATIBLE_API_KEY', 'OPENAI_API_KEY')
    const baseURL = name === 'openrouter'
      ? secret(config, 'OPENROUTER_BASE_URL') ?? DEFAULT_BASE_URLS.openrouter!
      : secret(config, 'OPENAI_COMPATIBLE_BASE_URL', 'OPENAI_BASE_URL') ?? DEFAULT_BASE_URLS[name]
    if (!baseURL) return failingModel(name, modelId, new ProviderError('unknown_provider', 'OPENAI_COMPATIBLE_BASE_URL is not set for this agent'))
    return lazyModel(name, modelId, async () => (await import('@ai-sdk/openai-compatible')).createOpenAICompatible({
      name, fetch, baseURL: trimSlash(baseURL), includeUsage: true, supportsStructuredOutputs: true, ...(apiKey ? { apiKey } : {}),
    })(modelId))
  }
  return failingModel(name, modelId, new ProviderError('unknown_provider', `unknown model provider "${name}"`))
}

export function buildModel(config: RuntimeConfig, settings: ProviderSettings = DEFAULT_PROVIDER_SETTINGS): AgentModel {
  const name = config.model.provider
  const own = name === 'local' ? LOCAL_CONTEXT_WINDOW_TOKENS : CONTEXT_WINDOW_TOKENS[name] ?? OPENAI_COMPATIBLE_CONTEXT_WINDOW_TOKENS
  return {
    name,
    model: languageModel(config, settings),
    contextWindowTokens: settings.contextWindowTokens ?? own,
    maxRetries: settings.maxRetries,
  }
}

/** A model that cannot work: every call ends in a clear error event instead of a crash. */
function failingModel(provider: string, modelId: string, error: ProviderError): LanguageModelV4 {
  return {
    specificationVersion: 'v4', provider, modelId, supportedUrls: {},
    doGenerate: () => Promise.reject(error),
    doStream: () => Promise.reject(error),
  }
}
