// Reads a JSON request body with a size bound; a body of another type, malformed or oversized, becomes a clear
// client error.
import { ProblemError } from '../../../wire/problem.ts'

/** Bodies larger than this are refused before parsing (bytes); the message limit is checked separately. */
export const MAX_BODY_BYTES = 1_048_576

/** `application/json` or a structured `+json` type (RFC 6839), parameters aside. */
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/

/** Whether `contentType` says the body is JSON. */
export function isJsonContentType(contentType: string | null): boolean {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  return JSON_MEDIA_TYPE.test(mediaType)
}

export async function readJson(req: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  // Also a guard against cross-site forms: a browser sends text/plain or a form type to any site without asking,
  // while application/json from another site needs a CORS preflight, which only the dashboard's origin passes.
  if (!isJsonContentType(req.headers.get('content-type'))) {
    throw new ProblemError({
      status: 415, code: 'unsupported-media-type', title: 'Unsupported media type',
      detail: 'The request body must be JSON, sent with content-type: application/json.',
    })
  }
  const declared = Number(req.headers.get('content-length') ?? '0')
  if (declared > maxBytes) throw new ProblemError({
    status: 413, code: 'body-too-large', title: 'Request body too large',
    detail: `The body must be at most ${maxBytes} bytes.`,
  })
  const text = await req.text()
  if (Buffer.byteLength(text) > maxBytes) throw new ProblemError({
    status: 413, code: 'body-too-large', title: 'Request body too large',
    detail: `The body must be at most ${maxBytes} bytes.`,
  })
  if (text.trim() === '') throw new ProblemError({
    status: 400, code: 'malformed-json', title: 'Malformed JSON',
    detail: 'The request body is empty; a JSON object is expected.',
  })
  try {
    return JSON.parse(text)
  } catch {
    throw new ProblemError({ status: 400, code: 'malformed-json', title: 'Malformed JSON', detail: 'The request body is not valid JSON.' })
  }
}
