// A small stand-in for the cluster-api's runtime usage endpoint (INTERNAL_PATHS.runtimeUsage): verifies the signature
// under the agent's own key and its body digest, records batches, can fail the first N deliveries to prove the
// runtime retries with the same batchId.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RuntimeUsageBatch } from '../../../wire/internal-api.ts'
import { nodeBodyDigest } from '../../../wire/node-hmac.ts'
import { bodyMatches, verifyHeaders } from '../../../wire/signature.ts'

export interface IngestReceiver {
  url: string
  /** Every accepted delivery, duplicates included. */
  deliveries: Array<RuntimeUsageBatch & { agentId: string }>
  /** batchIds of deliveries this receiver failed on purpose (503). */
  failedBatchIds: string[]
  /** Deliveries refused because the signature did not verify. */
  unsigned: number
  failNext(n: number): void
  close(): Promise<void>
}

/** `secret` is the agent's own key; the receiver serves any agent id in the path but verifies under that key. */
export async function startIngestReceiver(secret: string): Promise<IngestReceiver> {
  const deliveries: IngestReceiver['deliveries'] = []
  const failedBatchIds: string[] = []
  let failures = 0
  let unsigned = 0
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const headers = new Headers()
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
    const path = /^\/internal\/v1\/runtime\/agents\/([^/]+)\/usage$/.exec(req.url ?? '')
    if (req.method !== 'POST' || !path) return void res.writeHead(404).end()
    const body = Buffer.concat(chunks)
    const verified = await verifyHeaders(req.method, req.url!, headers, secret)
    if (!verified.ok || !(await bodyMatches(verified.body, { length: body.length, digest: () => nodeBodyDigest(body) }))) {
      unsigned++
      return void res.writeHead(401).end()
    }
    if (failures > 0) {
      failures--
      failedBatchIds.push((JSON.parse(body.toString('utf8')) as RuntimeUsageBatch).batchId)
      return void res.writeHead(503).end()
    }
    deliveries.push({ ...(JSON.parse(body.toString('utf8')) as RuntimeUsageBatch), agentId: decodeURIComponent(path[1]!) })
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: 1, duplicate: false }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    failedBatchIds,
    get unsigned() { return unsigned },
    failNext(n) { failures = n },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
