// POST /v1/webhooks/clerk: Clerk's user events, verified with svix. user.created adds the user,
// user.deleted removes it and (by cascade) its memberships. Other events are acknowledged and ignored.

import type { Hono } from 'hono'
import { Webhook } from 'svix'
import { z } from 'zod'
import type { ApiDeps } from '../context.ts'
import { deleteUser, upsertUser } from '../db/queries/users.ts'
import { ProblemError } from '../../../wire/problem.ts'

const eventSchema = z.object({
  type: z.string(),
  data: z.object({
    id: z.string().min(1).max(200),
    primary_email_address_id: z.string().nullish(),
    email_addresses: z.array(z.object({ id: z.string(), email_address: z.string() })).optional(),
  }).loose(),
}).loose()

export function registerClerkWebhook(app: Hono, deps: ApiDeps, secret: string): void {
  const webhook = new Webhook(secret)
  app.post('/v1/webhooks/clerk', async (c) => {
    const payload = await c.req.text()
    try {
      // svix 2 verifies only; it returns nothing, the payload is parsed below once it is trusted.
      webhook.verify(payload, {
        'svix-id': c.req.header('svix-id') ?? '',
        'svix-timestamp': c.req.header('svix-timestamp') ?? '',
        'svix-signature': c.req.header('svix-signature') ?? '',
      })
    } catch {
      throw new ProblemError({ status: 401, code: 'invalid-webhook-signature', title: 'Webhook signature does not verify' })
    }
    let event: unknown
    try {
      event = JSON.parse(payload)
    } catch {
      throw new ProblemError({ status: 400, code: 'malformed-json', title: 'Webhook body is not valid JSON' })
    }
    const parsed = eventSchema.safeParse(event)
    if (!parsed.success) throw new ProblemError({ status: 422, code: 'validation-failed', title: 'Unexpected webhook payload' })
    const { type, data } = parsed.data
    if (type === 'user.created' || type === 'user.updated') {
      const emails = data.email_addresses ?? []
      const primary = emails.find((e) => e.id === data.primary_email_address_id) ?? emails[0]
      await upsertUser(deps.db, data.id, primary?.email_address ?? null)
    } else if (type === 'user.deleted') {
      await deleteUser(deps.db, data.id)
    }
    return c.json({ received: true, type })
  })
}
