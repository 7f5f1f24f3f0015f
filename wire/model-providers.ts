// The model providers an agent may name in `model.provider`, and the shape of a model name. The cluster-api
// validates agents against this list and the runtime's provider registry builds from it, so a name the API
// accepts is one the runtime can serve: an agent is never created only to fail every chat.

/**
 * Speak OpenAI's Chat Completions API: `openai` itself, and servers that differ from it only by base URL and key
 * (`openai-compatible` for any such server; `ollama`, `vllm`, `llama.cpp` and `openrouter` with their usual base URLs
 * as defaults). agent/README.md names the secrets each reads.
 */
export const OPENAI_COMPATIBLE_PROVIDERS = ['openai', 'openai-compatible', 'ollama', 'vllm', 'llama.cpp', 'openrouter'] as const

/**
 * Every provider the runtime implements (agent/src/providers/registry.ts) on the Vercel AI SDK. `local` is the
 * offline development model. A provider is added here together with its implementation in the registry, never before.
 */
export const MODEL_PROVIDERS = ['anthropic', 'google', ...OPENAI_COMPATIBLE_PROVIDERS, 'local'] as const

export type ModelProviderName = (typeof MODEL_PROVIDERS)[number]

const OPENAI_COMPATIBLE_SET: ReadonlySet<string> = new Set(OPENAI_COMPATIBLE_PROVIDERS)

export function isOpenAiCompatible(name: string): boolean {
  return OPENAI_COMPATIBLE_SET.has(name)
}

/** Model ids run to ~100 characters (`hf.co/<org>/<repo>-GGUF:Q4_K_M`); 200 leaves room and bounds what is stored and sent. */
export const MODEL_NAME_MAX_LENGTH = 200

/** Control and format characters (line breaks, NUL, bidi overrides, zero-width): never part of a model id. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u

/** Why `name` cannot be a model name, or null when it can: 1–200 characters, no control characters, no edge spaces. */
export function checkModelName(name: string): string | null {
  if (name.length === 0 || name.length > MODEL_NAME_MAX_LENGTH) return `must be 1 to ${MODEL_NAME_MAX_LENGTH} characters long`
  if (INVISIBLE.test(name)) return 'may not contain control or invisible characters'
  if (name.trim() !== name) return 'may not start or end with whitespace'
  return null
}
