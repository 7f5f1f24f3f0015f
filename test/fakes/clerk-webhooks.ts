// Sends Clerk webhook events the way Clerk does: a JSON body signed by svix (svix-id, svix-timestamp,
// svix-signature), using the svix library's own signer.

import { randomUUID } from 'node:crypto'
import { Webhook } from 'svix'

export const TEST_CLERK_WEBHOOK_SECRET = `whsec_${Buffer.from('fake-clerk-webhook-secret-32-bytes!').toString('base64')}`

export function clerkUserCreated(id: string, email: string) {
  return {
    type: 'user.created', object: 'event',
    data: { id, object: 'user', primary_email_address_id: 'idn_1', email_addresses: [{ id: 'idn_1', email_address: email }] },
  }
}

export function clerkUserDeleted(id: string) {
  return { type: 'user.deleted', object: 'event', data: { id, object: 'user', deleted: true } }
}

export async function sendClerkWebhook(url: string, event: unknown, options: { secret?: string; timestamp?: Date } = {}): Promise<Response> {
  const payload = JSON.stringify(event)
  const id = `msg_${randomUUID()}`
  const timestamp = options.timestamp ?? new Date()
  const signature = new Webhook(options.secret ?? TEST_CLERK_WEBHOOK_SECRET).sign(id, timestamp, payload)
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'svix-signature': signature,
    },
    body: payload,
  })
}
