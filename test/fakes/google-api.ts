// A local double of the Gemini API: POST /v1beta/models/{model}:generateContent and :streamGenerateContent (SSE with
// ?alt=sse, else a streamed JSON array), answering candidates[0].content.parts (text | functionCall {name,args}) with
// finishReason and usageMetadata; errors in Google's shape {error:{code,message,status}}, also mid-stream.
import type { ServerResponse } from 'node:http'
import { fakeId, halfABody, json, sleep, startFakeProvider, tokens, usageOf } from './provider-script.ts'
import type { FakeProvider, ProviderScript, RecordedRequest, ScriptedToolCall, ToolResultSeen } from './provider-script.ts'

export type { FakeProvider, ProviderScript, ScriptStep, ScriptedToolCall } from './provider-script.ts'

const ROUTE = /^\/v1beta\/(?:models|tunedModels)\/([^/:?]+):(generateContent|streamGenerateContent)(?:\?.*)?$/

const STATUSES: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED', 499: 'CANCELLED', 500: 'INTERNAL', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
}

type Part = Record<string, unknown>
type Usage = { input: number; output: number }

function googleError(code: number, message: string, details?: unknown[]) {
  return { error: { code, message, status: STATUSES[code] ?? (code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'), ...(details ? { details } : {}) } }
}

const modelOf = (req: RecordedRequest) => ROUTE.exec(req.path)?.[1] ?? 'unknown'

/**
 * Gemini hands out a call id only on some models; the double sends one when the script names it. Like Gemini 3, it
 * signs the first functionCall of a turn with an opaque thoughtSignature that the client must send back with it.
 */
function callParts(calls: ScriptedToolCall[]): Part[] {
  return calls.map((call, i) => ({
    functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args: call.args },
    ...(i === 0 ? { thoughtSignature: Buffer.from(fakeId('sig_')).toString('base64') } : {}),
  }))
}

const usageMetadata = (usage: Usage) => ({ promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output })

function chunk(req: RecordedRequest, parts: Part[], usage: Usage, finishReason?: string) {
  return {
    candidates: [{ content: { parts, role: 'model' }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata: usageMetadata(usage), modelVersion: modelOf(req), responseId: responseId(req),
  }
}

const ids = new WeakMap<RecordedRequest, string>()
function responseId(req: RecordedRequest): string {
  if (!ids.has(req)) ids.set(req, Math.random().toString(36).slice(2, 14))
  return ids.get(req)!
}

/** Writes chunks as SSE (`?alt=sse`, which every SDK asks for) or, without it, as one JSON array streamed in pieces. */
function sink(req: RecordedRequest, res: ServerResponse) {
  const sse = new URL(req.path, 'http://x').searchParams.get('alt') === 'sse'
  res.writeHead(200, { 'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8' })
  let first = true
  return {
    write(payload: unknown): Promise<void> {
      const text = sse ? `data: ${JSON.stringify(payload)}\r\n\r\n` : `${first ? '[' : ',\r\n'}${JSON.stringify(payload)}`
      first = false
      return new Promise((resolve) => res.write(text, () => resolve()))
    },
    end(): void {
      res.end(sse ? '' : first ? '[]' : ']')
    },
  }
}

async function streamText(out: ReturnType<typeof sink>, req: RecordedRequest, text: string, inputTokens: number, delayMs = 0): Promise<number> {
  let sent = 0
  for (const part of tokens(text)) {
    if (delayMs) await sleep(delayMs)
    sent += 1
    await out.write(chunk(req, [{ text: part }], { input: inputTokens, output: sent }))
  }
  return sent
}

async function streamTurn(req: RecordedRequest, res: ServerResponse, text: string, calls: ScriptedToolCall[], usage: Usage, delayMs = 0): Promise<void> {
  const out = sink(req, res)
  await streamText(out, req, text, usage.input, delayMs)
  // Gemini sends each functionCall whole (no argument fragments), all parallel calls in one chunk, and ends the
  // turn with finishReason STOP even when it calls tools.
  const last: Part[] = calls.length ? callParts(calls) : [{ text: '' }]
  await out.write(chunk(req, last, usage, 'STOP'))
  out.end()
}

async function handle(script: ProviderScript, req: RecordedRequest, res: ServerResponse): Promise<void> {
  switch (script.kind) {
    case 'reply':
    case 'tool-calls': {
      const text = script.kind === 'reply' ? script.text : script.text ?? ''
      const calls = script.kind === 'tool-calls' ? script.calls : []
      const usage = usageOf(script, { contents: req.body?.contents, systemInstruction: req.body?.systemInstruction, tools: req.body?.tools }, text + calls.map((c) => JSON.stringify(c.args)).join(' '))
      if (req.stream) return streamTurn(req, res, text, calls, usage, script.chunkDelayMs)
      const parts: Part[] = [...(text ? [{ text }] : []), ...callParts(calls)]
      return json(res, 200, chunk(req, parts.length ? parts : [{ text: '' }], usage, 'STOP'))
    }
    case 'status': {
      // Google says when to come back in a RetryInfo detail, not in a retry-after header.
      const details = script.retryAfterSeconds === undefined ? undefined : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${script.retryAfterSeconds}s` }]
      return json(res, script.status, googleError(script.status, script.message ?? `fake status ${script.status}`, details))
    }
    case 'error-mid-stream': {
      if (!req.stream) return halfABody(res, chunk(req, [{ text: script.text }], { input: 1, output: 1 }, 'STOP'))
      const out = sink(req, res)
      await streamText(out, req, script.text, 1)
      const status = script.errorType ?? 'UNAVAILABLE'
      const code = Number(Object.entries(STATUSES).find(([, s]) => s === status)?.[0] ?? 503)
      await out.write({ error: { code, message: 'The model is overloaded. Please try again later.', status } })
      out.end()
      return
    }
    case 'hang':
      if (req.stream) await streamText(sink(req, res), req, script.text ?? '', 1)
      return
    case 'hang-before-headers':
      return
    case 'cut':
      if (!req.stream) return halfABody(res, chunk(req, [{ text: script.text }], { input: 1, output: 1 }, 'STOP'))
      await streamText(sink(req, res), req, script.text, 1)
      res.destroy()
      return
  }
}

function textOf(parts: unknown): string {
  return (Array.isArray(parts) ? parts : []).filter((p) => typeof p?.text === 'string').map((p) => p.text).join('')
}

/** functionResponse parts: name, an optional id, and `response` ({name, content} from the AI SDK). */
function toolResults(body: any): ToolResultSeen[] {
  const seen: ToolResultSeen[] = []
  for (const content of body?.contents ?? []) {
    for (const part of content?.parts ?? []) {
      const fr = part?.functionResponse
      if (!fr) continue
      const output = fr.response && typeof fr.response === 'object' && 'content' in fr.response ? fr.response.content : fr.response
      seen.push({ ...(fr.id ? { callId: fr.id } : {}), name: fr.name, output })
    }
  }
  return seen
}

export function startFakeGoogle(opts: { apiKey?: string } = {}): Promise<FakeProvider> {
  const apiKey = opts.apiKey ?? 'google-test-key'
  return startFakeProvider({
    route: (method, path) => method === 'POST' && ROUTE.test(path),
    authorize: (req) => {
      const given = req.headers['x-goog-api-key'] ?? new URL(req.url ?? '/', 'http://x').searchParams.get('key')
      if (!given) return { status: 403, message: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API." }
      // A wrong key is a 400 INVALID_ARGUMENT on this API, not a 401.
      if (given !== apiKey) return { status: 400, message: 'API key not valid. Please pass a valid API key.' }
      return null
    },
    unauthorized: (res, { status, message }) => json(res, status, googleError(status, message, status === 400
      ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } }]
      : undefined)),
    notFound: (res) => json(res, 404, googleError(404, 'Requested entity was not found.')),
    isStream: (path) => ROUTE.exec(path)?.[2] === 'streamGenerateContent',
    handle,
    defaultReply: (req) => `Fake Gemini heard: ${textOf(req.body?.contents?.filter((c: any) => c?.role === 'user').at(-1)?.parts)}`,
    toolResults: (req) => toolResults(req.body),
    toolNames: (req) => (req.body?.tools ?? []).flatMap((t: any) => (t?.functionDeclarations ?? []).map((f: any) => f?.name)),
  })
}
