// Errors shared by the conversation routes and the chat turn.
import { HttpError } from '../http/errors.ts'

export function conversationNotFound(): HttpError {
  return new HttpError(404, 'conversation-not-found', 'Conversation not found', 'No conversation with this id exists for this superfriend.')
}
