// Hono context variables set by the edge-auth stage and read by the routes.
export interface AppEnv {
  Variables: {
    principal: string | null
    /** `member` of the agent's tenant, or `guest` (a caller of a public agent from outside); null: not said. */
    principalAccess: 'member' | 'guest' | null
    requestId: string | null
  }
}
