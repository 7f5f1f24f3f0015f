// Hono context variables set by the edge-auth stage and read by the routes.
export interface AppEnv {
  Variables: {
    principal: string | null
    requestId: string | null
  }
}
