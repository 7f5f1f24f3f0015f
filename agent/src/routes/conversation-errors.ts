// Errors shared by the conversation routes and the chat turn.
import { ProblemError } from '../../../wire/problem.ts'

export function conversationNotFound(): ProblemError {
  return new ProblemError({
    status: 404, code: 'conversation-not-found', title: 'Conversation not found',
    detail: 'No conversation with this id exists for this superfriend.',
  })
}
