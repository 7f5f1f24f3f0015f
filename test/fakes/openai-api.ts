// A local double of the OpenAI API and of OpenAI-compatible servers (Ollama, vLLM, llama.cpp): Chat Completions at
// POST /v1/chat/completions and the Responses API at POST /v1/responses, streaming or not, tools included; errors in
// OpenAI's error object. Wire formats live in openai-chat.ts and openai-responses.ts.
import { json, startFakeProvider } from './provider-script.ts'
import type { FakeProvider } from './provider-script.ts'
import { chatText, chatToolNames, chatToolResults, handleChat } from './openai-chat.ts'
import { handleResponses, lastResponsesInput, responsesToolNames, responsesToolResults } from './openai-responses.ts'

export type { FakeProvider, ProviderScript, ScriptStep, ScriptedToolCall } from './provider-script.ts'

const CHAT = '/v1/chat/completions'
const RESPONSES = '/v1/responses'

/** `apiKey: null` serves without auth, as a local Ollama or llama.cpp server does. */
export function startFakeOpenAi(opts: { apiKey?: string | null } = {}): Promise<FakeProvider> {
  const apiKey = opts.apiKey === undefined ? 'sk-openai-test' : opts.apiKey
  return startFakeProvider({
    route: (method, path) => method === 'POST' && (path === CHAT || path === RESPONSES),
    authorize: (req) => (apiKey === null || req.headers.authorization === `Bearer ${apiKey}` ? null : { status: 401, message: 'Incorrect API key provided' }),
    unauthorized: (res, { status, message }) => json(res, status, { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
    notFound: (res) => json(res, 404, { error: { message: 'Invalid URL', type: 'invalid_request_error', param: null, code: null } }),
    isStream: (_path, body) => body?.stream === true,
    handle: (script, req, res) => (req.path === RESPONSES ? handleResponses(script, req, res) : handleChat(script, req, res)),
    defaultReply: (req) => `Fake GPT heard: ${req.path === RESPONSES ? lastResponsesInput(req.body) : chatText(req.body?.messages?.at(-1)?.content)}`,
    toolResults: (req) => (req.path === RESPONSES ? responsesToolResults(req.body) : chatToolResults(req.body)),
    toolNames: (req) => (req.path === RESPONSES ? responsesToolNames(req.body) : chatToolNames(req.body)),
  })
}
