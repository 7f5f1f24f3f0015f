// A small client for the platform's /v1 API: JSON in and out, bearer auth, the tenant header,
// and every non-2xx answer turned into an ApiProblem carrying the problem+json body.

import { ApiProblem, CliError, type ProblemBody } from './errors.ts'
import { httpRequest, readBody, type HttpResponse } from './http-request.ts'
import type { Credential } from './settings.ts'

export const TENANT_HEADER = 'x-myintell-tenant'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface Tenant {
  id: string
  slug: string
  name: string
  role: string | null
  createdAt: string
  updatedAt: string
}

export interface ApiClientOptions {
  apiUrl: string
  credential: Credential | null
  /** Tenant id or slug; null lets the API pick (an API key's tenant, or a user's only tenant). */
  tenant: string | null
}

export type Query = Record<string, string | number | undefined>

export class ApiClient {
  readonly apiUrl: string
  readonly credential: Credential | null
  private readonly tenant: string | null
  private tenantId: string | null = null

  constructor(options: ApiClientOptions) {
    this.apiUrl = options.apiUrl
    this.credential = options.credential
    this.tenant = options.tenant
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.call<T>('GET', path, { query, tenant: true })
  }
  post<T>(path: string, body: unknown, options: { tenant?: boolean } = {}): Promise<T> {
    return this.call<T>('POST', path, { body, tenant: options.tenant ?? true })
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, { body, tenant: true })
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, { body, tenant: true })
  }
  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path, { tenant: true })
  }

  async call<T>(method: string, path: string, options: { body?: unknown; query?: Query; tenant?: boolean } = {}): Promise<T> {
    const url = new URL(`${this.apiUrl}${path}`)
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value))
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' }
    if (this.credential) headers.authorization = `Bearer ${this.credential.secret}`
    if (options.tenant) {
      const tenantId = await this.resolveTenantId()
      if (tenantId) headers[TENANT_HEADER] = tenantId
    }
    let body: string | undefined
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] = 'application/json'
    }
    const response = await httpRequest({ method, url: url.toString(), headers, ...(body === undefined ? {} : { body }) })
    const text = await readBody(response)
    if (response.status >= 200 && response.status < 300) {
      if (!text) return undefined as T
      try {
        return JSON.parse(text) as T
      } catch {
        throw new CliError(`${url.origin} answered ${method} ${path} with something that is not JSON; is --api-url the platform API?`)
      }
    }
    throw new ApiProblem(response.status, parseProblem(text, response.status))
  }

  /** A GET whose answer is read as it arrives (an event stream); an error answer throws like call() does. */
  async open(path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const url = new URL(`${this.apiUrl}${path}`)
    const all: Record<string, string> = { ...headers }
    if (this.credential) all.authorization = `Bearer ${this.credential.secret}`
    const tenantId = await this.resolveTenantId()
    if (tenantId) all[TENANT_HEADER] = tenantId
    const response = await httpRequest({ method: 'GET', url: url.toString(), headers: all })
    if (response.status >= 200 && response.status < 300) return response
    throw new ApiProblem(response.status, parseProblem(await readBody(response), response.status))
  }

  /** A tenant slug is looked up among the caller's tenants once; an id is passed as is. */
  private async resolveTenantId(): Promise<string | null> {
    if (!this.tenant) return null
    if (UUID.test(this.tenant)) return this.tenant
    if (this.tenantId) return this.tenantId
    const { items } = await this.call<{ items: Tenant[] }>('GET', '/v1/tenants')
    const match = items.find((t) => t.slug === this.tenant)
    if (!match) throw new CliError(`no tenant "${this.tenant}" among yours (${items.map((t) => t.slug).join(', ') || 'none'})`)
    this.tenantId = match.id
    return match.id
  }
}

function parseProblem(text: string, status: number): ProblemBody {
  try {
    const parsed = JSON.parse(text) as ProblemBody
    if (parsed && typeof parsed === 'object') return parsed
  } catch {
    // Not problem+json (a proxy's HTML page, say): fall through to a generic title.
  }
  return { title: `HTTP ${status}`, status, ...(text.trim() ? { detail: text.trim().slice(0, 200) } : {}) }
}

export const isUuid = (value: string): boolean => UUID.test(value)
