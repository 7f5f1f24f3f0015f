// The route family a request is counted under: a fixed, small set of label values whatever path a client sends,
// so no id, slug or junk path ever becomes a label (Prometheus keeps one series per label value).

export const ROUTE_FAMILIES = [
  'metrics', 'internal_wake', 'internal_status', 'internal_route', 'internal_key', 'internal_membership', 'internal_ingest',
  'internal_runtime', 'internal_scaling', 'internal_other', 'auth', 'webhooks', 'v1', 'other',
] as const
export type RouteFamily = (typeof ROUTE_FAMILIES)[number]

const INTERNAL: Record<string, RouteFamily> = {
  routes: 'internal_route', keys: 'internal_key', users: 'internal_membership', ingest: 'internal_ingest',
  runtime: 'internal_runtime', scaling: 'internal_scaling',
}

export function routeFamily(path: string): RouteFamily {
  if (path === '/metrics') return 'metrics'
  if (path.startsWith('/internal/v1/')) {
    if (path.startsWith('/internal/v1/agents/')) {
      if (path.endsWith('/wake')) return 'internal_wake'
      if (path.endsWith('/status')) return 'internal_status'
    }
    return INTERNAL[path.split('/')[3] ?? ''] ?? 'internal_other'
  }
  if (path.startsWith('/.well-known/') || path.startsWith('/v1/dev/')) return 'auth'
  if (path.startsWith('/v1/webhooks/')) return 'webhooks'
  if (path === '/v1' || path.startsWith('/v1/')) return 'v1'
  return 'other'
}
