// Reads a JSON request body with a size bound; malformed or oversized bodies become clear client errors.
import { HttpError } from './errors.ts'

/** Bodies larger than this are refused before parsing (bytes); the message limit is checked separately. */
export const MAX_BODY_BYTES = 1_048_576

export async function readJson(req: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers.get('content-length') ?? '0')
  if (declared > maxBytes) throw new HttpError(413, 'body-too-large', 'Request body too large', `The body must be at most ${maxBytes} bytes.`)
  const text = await req.text()
  if (Buffer.byteLength(text) > maxBytes) throw new HttpError(413, 'body-too-large', 'Request body too large', `The body must be at most ${maxBytes} bytes.`)
  if (text.trim() === '') throw new HttpError(400, 'malformed-json', 'Malformed JSON', 'The request body is empty; a JSON object is expected.')
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.')
  }
}
