// Hosts that are the platform itself rather than a superfriend: the landing page, the dashboard (static
// assets) and the /v1 API (streamed to the cluster-api, which authenticates on its own). They end here.

import type { MiddlewareHandler } from 'hono'
import { REQUEST_ID } from '../../../wire/headers.ts'
import { NO_BODY, signHeaders, STREAMED_BODY } from '../../../wire/signature.ts'
import type { EdgeContext, EdgeEnv } from '../context.ts'
import { landingPage } from '../pages.ts'
import { noSuchFile, notPublicApi, upstreamFailed, upstreamTimeout } from '../problems.ts'
import { TIMED_OUT, within } from '../within.ts'

/** Retry-After of a /v1 call the cluster-api did not answer in time (CLUSTER_API_TIMEOUT_MS): a busy or restarting cluster-api. */
export const RETRY_AFTER_API_TIMEOUT_S = 5

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
  const config = c.get('config')
  // Bounds the wait for the response head only: once the cluster-api answers, its body (a stream, a large
  // list) flows for as long as it takes, so the abort below can only ever cut a call that never answered.
  const abort = new AbortController()
  const answered = fetch(new URL(path, config.clusterApiUrl), {
    method: c.req.method, headers, body: c.req.raw.body, redirect: 'manual', signal: abort.signal,
  })
  let response: Response | typeof TIMED_OUT
  try {
    response = await within(answered, config.clusterApiTimeoutMs)
  } catch (error) {
    throw upstreamFailed(error)
  }
  if (response === TIMED_OUT) {
    abort.abort()
    answered.catch(() => undefined)
    throw upstreamTimeout(RETRY_AFTER_API_TIMEOUT_S)
  }
  return new Response(response.body, response)
}

/** The last segment names a file (`/assets/index-3f2a.js`, `/favicon.ico`): one the dashboard's build would have made. */
export function isFilePath(pathname: string): boolean {
  return /\.[A-Za-z0-9]+$/.test(pathname.slice(pathname.lastIndexOf('/') + 1))
}

/**
 * app.<base>: the dashboard's files as built (dashboard/dist, the ASSETS binding). Any other page path is one of the
 * dashboard's own routes, typed or bookmarked: it gets the dashboard itself (index.html), which routes on the client.
 * A file that is not there is 404, so a stale script reference fails loudly instead of being handed HTML.
 */
async function dashboard(c: EdgeContext): Promise<Response> {
  const assets = c.env.ASSETS
  if (!assets) throw noSuchFile() // a Worker deployed without the dashboard's build
  const asset = await assets.fetch(c.req.raw)
  if (asset.status !== 404) return new Response(asset.body, asset)
  const url = new URL(c.req.url)
  if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || isFilePath(url.pathname)) throw noSuchFile()
  const index = await assets.fetch(new Request(new URL('/', url), { method: c.req.method, headers: c.req.raw.headers }))
  return new Response(index.body, index)
}

export const platformHosts = (): MiddlewareHandler<EdgeEnv> =>
  async function platformHosts(c, next) {
    switch (c.get('host').kind) {
      case 'landing':
        return c.html(landingPage(c.get('config').baseDomain))
      case 'app':
        return dashboard(c)
      case 'api':
        return forwardToClusterApi(c)
      case 'agent':
        await next()
    }
  }
