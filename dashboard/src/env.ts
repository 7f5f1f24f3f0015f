/// <reference types="vite/client" />
// Build-time settings (Vite env, fixed when the bundle is built). Neither is needed for local use.

/** Base domain when the dashboard is not served from app.<base> (a Vite dev server): `localhost:8787`. */
export const CONFIGURED_BASE: string | undefined = import.meta.env.VITE_MYINTELL_BASE || undefined
/** Clerk's publishable key in production; unset: the local dev sign-in. */
export const CLERK_PUBLISHABLE_KEY: string | undefined = import.meta.env.VITE_CLERK_PUBLISHABLE_KEY || undefined
