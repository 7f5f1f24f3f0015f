// Anthropic Messages API, streaming (POST /v1/messages, stream: true): message_start → content_block_delta… → message_delta → message_stop.
// An `error` event mid-stream (e.g. overloaded_error) becomes a ProviderError after the text already yielded.
import { postForStream } from './fetch-stream.ts'
import { parseSse } from './sse-parser.ts'
import { ProviderError } from './types.ts'
import type { ModelEvent, ModelProvider, ModelRequest } from './types.ts'

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com'
const ANTHROPIC_VERSION = '2023-06-01'
// Every current Claude model takes 200k tokens of context.
const CONTEXT_WINDOW_TOKENS = 200_000

export interface HttpProviderOptions {
  apiKey: string
  baseUrl?: string
  /** No first byte, or no chunk for this long (ms), is a timeout. */
  timeoutMs: number
}

export function anthropicProvider(opts: HttpProviderOptions): ModelProvider {
  const base = (opts.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, '')
  return {
    name: 'anthropic',
    contextWindowTokens: () => CONTEXT_WINDOW_TOKENS,
    async *stream(req: ModelRequest): AsyncGenerator<ModelEvent> {
      const body = await postForStream('anthropic', `${base}/v1/messages`, { 'x-api-key': opts.apiKey, 'anthropic-version': ANTHROPIC_VERSION }, {
        model: req.model,
        max_tokens: req.maxOutputTokens,
        system: req.system,
        messages: req.messages,
        stream: true,
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      }, opts.timeoutMs, req.signal)
      let inputTokens = 0
      let outputTokens = 0
      let stopped = false
      for await (const { event, data } of parseSse(body, opts.timeoutMs, req.signal)) {
        if (event === 'ping') continue
        let payload: Record<string, any>
        try {
          payload = JSON.parse(data)
        } catch {
          throw new ProviderError('stream_error', 'anthropic sent an unreadable event')
        }
        if (event === 'error' || payload.type === 'error') {
          const type = String(payload.error?.type ?? 'api_error')
          throw new ProviderError(type === 'overloaded_error' ? 'overloaded' : 'stream_error', `anthropic stream error (${type}): ${payload.error?.message ?? ''}`)
        }
        if (event === 'message_start') {
          inputTokens = Number(payload.message?.usage?.input_tokens ?? 0)
          outputTokens = Number(payload.message?.usage?.output_tokens ?? 0)
        } else if (event === 'content_block_delta' && payload.delta?.type === 'text_delta') {
          yield { type: 'delta', text: String(payload.delta.text ?? '') }
        } else if (event === 'message_delta') {
          outputTokens = Number(payload.usage?.output_tokens ?? outputTokens)
        } else if (event === 'message_stop') {
          stopped = true
          break
        }
      }
      if (!stopped) throw new ProviderError('stream_error', 'anthropic ended the stream before message_stop')
      yield { type: 'usage', inputTokens, outputTokens }
    },
  }
}
