// Who the user is, behind one small interface: the local dev sign-in (the cluster-api as its own issuer) or
// Clerk in production. The rest of the dashboard only asks for a session token and offers sign-in / sign-out.

import { clerkAuth } from './clerk-auth.ts'
import { devAuth } from './dev-auth.ts'
import { CLERK_PUBLISHABLE_KEY } from '../env.ts'

export interface Session {
  /** A JWT the edge and the cluster-api accept as `Authorization: Bearer`. */
  token: string
  email: string | null
  userId: string
}

export interface Auth {
  kind: 'dev' | 'clerk'
  /** The current session, or null when signed out. */
  restore(): Promise<Session | null>
  /** dev: signs in with the given email. clerk: opens Clerk's sign-in (email is ignored). */
  signIn(email: string): Promise<Session | null>
  signOut(): Promise<void>
  /** A fresh token for the next request (Clerk's expire after a minute). */
  token(): Promise<string | null>
}

/** Clerk when a publishable key is built in (VITE_CLERK_PUBLISHABLE_KEY), the local dev sign-in otherwise. */
export function createAuth(): Auth {
  return CLERK_PUBLISHABLE_KEY ? clerkAuth(CLERK_PUBLISHABLE_KEY) : devAuth()
}
