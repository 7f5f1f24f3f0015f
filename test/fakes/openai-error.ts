// OpenAI's error object on an HTTP status, shared by its Chat Completions and Responses routes:
// {error:{message,type,param,code}}, with retry-after on a 429 when the script asks for one.
import type { ServerResponse } from 'node:http'
import { json, retryAfter } from './provider-script.ts'

const TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
}

export function openAiError(res: ServerResponse, script: { status: number; retryAfterSeconds?: number; message?: string }): void {
  const known = TYPES[script.status] ?? (script.status >= 500 ? { type: 'server_error', code: null } : { type: 'invalid_request_error', code: null })
  json(res, script.status, { error: { message: script.message ?? `fake status ${script.status}`, type: known.type, param: null, code: known.code } }, retryAfter(script))
}
