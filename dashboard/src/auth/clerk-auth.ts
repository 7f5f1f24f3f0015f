// Production sign-in through Clerk's frontend library (clerk-js), loaded from the instance's own Frontend API
// as Clerk documents for script-tag installs. Not exercised by the local tests: they use the dev sign-in.

import type { Auth, Session } from './auth.ts'

interface ClerkLike {
  load(options?: Record<string, unknown>): Promise<void>
  user: { id: string; primaryEmailAddress?: { emailAddress: string } | null } | null
  session: { getToken(): Promise<string | null> } | null
  openSignIn(options?: Record<string, unknown>): void
  addListener(callback: (resources: { user: unknown }) => void): () => void
  signOut(): Promise<void>
}

/** Clerk's publishable key is `pk_<env>_<base64(frontendApi + "$")>`. */
export function frontendApiOf(publishableKey: string): string {
  const encoded = publishableKey.split('_')[2] ?? ''
  return atob(encoded).replace(/\$$/, '')
}

let loading: Promise<ClerkLike> | null = null

function loadClerk(publishableKey: string): Promise<ClerkLike> {
  loading ??= new Promise<ClerkLike>((resolve, reject) => {
    const script = document.createElement('script')
    script.async = true
    script.crossOrigin = 'anonymous'
    script.dataset.clerkPublishableKey = publishableKey
    script.src = `https://${frontendApiOf(publishableKey)}/npm/@clerk/clerk-js@5/dist/clerk.browser.js`
    script.onload = async () => {
      const clerk = (window as unknown as { Clerk?: ClerkLike }).Clerk
      if (!clerk) return reject(new Error('Clerk did not load'))
      await clerk.load()
      resolve(clerk)
    }
    script.onerror = () => reject(new Error('Clerk could not be loaded'))
    document.head.append(script)
  })
  return loading
}

async function sessionOf(clerk: ClerkLike): Promise<Session | null> {
  const token = clerk.user ? await clerk.session?.getToken() : null
  if (!clerk.user || !token) return null
  return { token, userId: clerk.user.id, email: clerk.user.primaryEmailAddress?.emailAddress ?? null }
}

export function clerkAuth(publishableKey: string): Auth {
  return {
    kind: 'clerk',
    restore: async () => sessionOf(await loadClerk(publishableKey)),
    async signIn() {
      const clerk = await loadClerk(publishableKey)
      clerk.openSignIn()
      return new Promise<Session | null>((resolve) => {
        const stop = clerk.addListener(({ user }) => {
          if (!user) return
          stop()
          void sessionOf(clerk).then(resolve)
        })
      })
    },
    async signOut() {
      await (await loadClerk(publishableKey)).signOut()
    },
    async token() {
      return (await loadClerk(publishableKey)).session?.getToken() ?? null
    },
  }
}
