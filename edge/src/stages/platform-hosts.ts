// Hosts that are the platform itself rather than a superfriend: the landing page, the dashboard (static
// assets) and the /v1 API (streamed to the cluster-api, which authenticates on its own). They end here.

import type { MiddlewareHandler } from 'hono'
import { REQUEST_ID } from '../../../wire/headers.ts'
import { NO_BODY, signHeaders, STREAMED_BODY } from '../../../wire/signature.ts'
import type { EdgeContext, EdgeEnv } from '../context.ts'
import { landingPage, placeholderAppPage } from '../pages.ts'
import { notPublicApi, upstreamFailed } from '../problems.ts'

/**
 * What api.<base> may reach on the cluster-api: the public /v1 API and the local issuer's JWKS. Never
 * /internal/v1 — the edge signs what it forwards, so forwarding an internal path would hand any client
 * the edge's own authority over wake, key verification and usage ingest.
 */
export function isPublicApiPath(pathname: string): boolean {
  return pathname === '/v1' || pathname.startsWith('/v1/') || pathname === '/.well-known/jwks.json'
}

async function forwardToClusterApi(c: EdgeContext): Promise<Response> {
  const url = new URL(c.req.url)
  if (!isPublicApiPath(url.pathname)) throw notPublicApi()
  const path = url.pathname + url.search
  const headers = c.get('forwardHeaders')
  headers.set(REQUEST_ID, c.get('requestId'))
  const body = c.req.raw.body === null ? NO_BODY : STREAMED_BODY
  await signHeaders(headers, { method: c.req.method, host: url.hostname, path, body }, c.get('config').edgeKey)
  try {
    const response = await fetch(new URL(path, c.get('config').clusterApiUrl), {
      method: c.req.method, headers, body: c.req.raw.body, redirect: 'manual',
    })
    return new Response(response.body, response)
  } catch (error) {
    throw upstreamFailed(error)
  }
}

export const platformHosts = (): MiddlewareHandler<EdgeEnv> =>
  async function platformHosts(c, next) {
    switch (c.get('host').kind) {
      case 'landing':
        return c.html(landingPage(c.get('config').baseDomain))
      case 'app': {
        if (!c.env.ASSETS) return c.html(placeholderAppPage())
        const asset = await c.env.ASSETS.fetch(c.req.raw)
        return asset.status === 404 ? c.html(placeholderAppPage()) : new Response(asset.body, asset)
      }
      case 'api':
        return forwardToClusterApi(c)
      case 'agent':
        await next()
    }
  }
