// OpenAI-compatible Chat Completions, streaming (OpenAI, Ollama, vLLM, llama.cpp server): `data: {chunk}` lines then `data: [DONE]`.
// Usage comes from the final chunk (stream_options.include_usage); servers that omit it get an estimate.
import { postForStream } from './fetch-stream.ts'
import { parseSse } from './sse-parser.ts'
import { estimateTokens, ProviderError } from './types.ts'
import type { ModelEvent, ModelProvider, ModelRequest } from './types.ts'
import type { HttpProviderOptions } from './anthropic.ts'

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1'
// A safe floor for unknown OpenAI-compatible models (many local ones serve 8k); override per agent by env.
const DEFAULT_CONTEXT_WINDOW_TOKENS = 8_192

export function openAiCompatibleProvider(opts: HttpProviderOptions & { contextWindowTokens?: number }): ModelProvider {
  const base = (opts.baseUrl ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, '')
  return {
    name: 'openai',
    contextWindowTokens: () => opts.contextWindowTokens ?? DEFAULT_CONTEXT_WINDOW_TOKENS,
    async *stream(req: ModelRequest): AsyncGenerator<ModelEvent> {
      const messages = [{ role: 'system', content: req.system }, ...req.messages]
      const body = await postForStream('openai-compatible', `${base}/chat/completions`, opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}, {
        model: req.model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: req.maxOutputTokens,
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      }, opts.timeoutMs, req.signal)
      let usage: { inputTokens: number; outputTokens: number } | null = null
      let text = ''
      let done = false
      for await (const { data } of parseSse(body, opts.timeoutMs, req.signal)) {
        if (data.trim() === '[DONE]') {
          done = true
          break
        }
        let chunk: Record<string, any>
        try {
          chunk = JSON.parse(data)
        } catch {
          throw new ProviderError('stream_error', 'the model server sent an unreadable chunk')
        }
        if (chunk.error) throw new ProviderError('stream_error', `model server stream error: ${chunk.error.message ?? 'unknown'}`)
        const delta = chunk.choices?.[0]?.delta?.content
        if (typeof delta === 'string' && delta !== '') {
          text += delta
          yield { type: 'delta', text: delta }
        }
        if (chunk.usage) usage = { inputTokens: Number(chunk.usage.prompt_tokens ?? 0), outputTokens: Number(chunk.usage.completion_tokens ?? 0) }
      }
      if (!done) throw new ProviderError('stream_error', 'the model server ended the stream before [DONE]')
      yield {
        type: 'usage',
        ...(usage ?? { inputTokens: estimateTokens(req.system + req.messages.map((m) => m.content).join('')), outputTokens: estimateTokens(text) }),
      }
    },
  }
}
