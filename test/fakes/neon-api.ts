// A local double of the Neon API v2 (https://console.neon.tech/api/v2) for the endpoints tenant provisioning uses:
// branches, roles, databases, connection_uri. Bearer API key; 404/409 like Neon; optional 423 Locked while an
// operation "runs", which Neon clients must retry.
import { createServer } from 'node:http'
import type { ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeNeon {
  /** Base URL to give the client, including /api/v2. */
  baseUrl: string
  projectId: string
  branchId: string
  databases: Map<string, { name: string; owner_name: string }>
  roles: Map<string, { name: string; password: string }>
  requests: Array<{ method: string; path: string }>
  /** The next `n` mutating requests answer 423 Locked (an operation in progress). */
  lockNext(n: number): void
  close(): Promise<void>
}

export async function startFakeNeon(opts: { apiKey?: string } = {}): Promise<FakeNeon> {
  const apiKey = opts.apiKey ?? 'neon-test-key'
  const projectId = 'fake-project-123456'
  const branchId = 'br-fake-main-000001'
  const databases = new Map<string, { name: string; owner_name: string }>()
  const roles = new Map<string, { name: string; password: string }>([['neondb_owner', { name: 'neondb_owner', password: 'owner-pw' }]])
  const requests: Array<{ method: string; path: string }> = []
  let locked = 0
  const now = () => new Date().toISOString()
  const operation = (action: string) => ({ id: crypto.randomUUID(), project_id: projectId, branch_id: branchId, action, status: 'finished', failures_count: 0, created_at: now(), updated_at: now(), total_duration_ms: 1 })
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  const fail = (res: ServerResponse, status: number, message: string) => json(res, status, { code: String(status), message })

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null
    const url = new URL(req.url ?? '/', 'http://fake')
    const method = req.method ?? 'GET'
    requests.push({ method, path: url.pathname + url.search })
    if (req.headers.authorization !== `Bearer ${apiKey}`) return fail(res, 401, 'authentication required')
    const prefix = `/api/v2/projects/${projectId}`
    if (!url.pathname.startsWith(prefix)) return fail(res, 404, 'project not found')
    const path = url.pathname.slice(prefix.length)
    if (method !== 'GET' && locked > 0) {
      locked--
      return fail(res, 423, 'project already has running operations, scheduling of new ones is prohibited')
    }

    if (method === 'GET' && path === '/branches') {
      return json(res, 200, { branches: [{ id: branchId, project_id: projectId, name: 'main', default: true, primary: true, current_state: 'ready', created_at: now(), updated_at: now() }] })
    }
    if (method === 'GET' && path === '/connection_uri') {
      const db = url.searchParams.get('database_name') ?? ''
      const role = roles.get(url.searchParams.get('role_name') ?? '')
      if (url.searchParams.get('branch_id') && url.searchParams.get('branch_id') !== branchId) return fail(res, 404, 'branch not found')
      if (!databases.has(db) || !role) return fail(res, 404, 'database or role not found')
      const host = url.searchParams.get('pooled') === 'true' ? 'ep-fake-123456-pooler.eu-central-1.aws.neon.tech' : 'ep-fake-123456.eu-central-1.aws.neon.tech'
      return json(res, 200, { uri: `postgresql://${role.name}:${role.password}@${host}/${db}?sslmode=require` })
    }
    const branchPrefix = `/branches/${branchId}`
    if (!path.startsWith(branchPrefix)) return fail(res, 404, 'branch not found')
    const rest = path.slice(branchPrefix.length)
    const [, kind, rawName] = rest.split('/')
    const name = rawName ? decodeURIComponent(rawName) : undefined

    if (kind === 'roles') {
      if (method === 'POST' && !name) {
        const roleName = body?.role?.name
        if (!roleName) return fail(res, 400, 'role name is required')
        if (roles.has(roleName)) return fail(res, 409, `role "${roleName}" already exists`)
        const role = { name: roleName, password: crypto.randomUUID().replace(/-/g, '') }
        roles.set(roleName, role)
        return json(res, 201, { role: { branch_id: branchId, name: roleName, password: role.password, protected: false, created_at: now(), updated_at: now() }, operations: [operation('apply_config')] })
      }
      if (name && method === 'GET') {
        return roles.has(name) ? json(res, 200, { role: { branch_id: branchId, name, protected: false, created_at: now(), updated_at: now() } }) : fail(res, 404, 'role not found')
      }
      if (name && method === 'DELETE') {
        if (!roles.delete(name)) return fail(res, 404, 'role not found')
        return json(res, 200, { role: { branch_id: branchId, name }, operations: [operation('apply_config')] })
      }
    }
    if (kind === 'databases') {
      if (method === 'POST' && !name) {
        const dbName = body?.database?.name
        const owner = body?.database?.owner_name
        if (!dbName || !owner) return fail(res, 400, 'name and owner_name are required')
        if (!roles.has(owner)) return fail(res, 404, `role "${owner}" not found`)
        if (databases.has(dbName)) return fail(res, 409, `database "${dbName}" already exists`)
        databases.set(dbName, { name: dbName, owner_name: owner })
        return json(res, 201, { database: { id: databases.size, branch_id: branchId, name: dbName, owner_name: owner, created_at: now(), updated_at: now() }, operations: [operation('apply_config')] })
      }
      if (name && method === 'GET') {
        const db = databases.get(name)
        return db ? json(res, 200, { database: { id: 1, branch_id: branchId, ...db, created_at: now(), updated_at: now() } }) : fail(res, 404, 'database not found')
      }
      if (name && method === 'DELETE') {
        if (!databases.delete(name)) return fail(res, 404, 'database not found')
        return json(res, 200, { database: { branch_id: branchId, name }, operations: [operation('apply_config')] })
      }
    }
    return fail(res, 404, 'not found')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2`,
    projectId, branchId, databases, roles, requests,
    lockNext(n) { locked = n },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
