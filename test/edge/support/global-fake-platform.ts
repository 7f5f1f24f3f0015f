// Vitest global setup for the edge's workerd unit tests: one wire-exact fake platform (cluster-api internal
// API + origin) on real loopback ports. Tests inside workerd drive it over HTTP at /__fake/*.

import type { TestProject } from 'vitest/node'
import { startFakePlatform } from './fake-platform.ts'

export const UNIT_SIGNING_SECRET = 'unit-test-signing-secret-0123456789abcdef'

declare module 'vitest' {
  export interface ProvidedContext {
    fakeClusterUrl: string
    fakeOriginUrl: string
  }
}

export default async function setup(project: TestProject) {
  const platform = await startFakePlatform(UNIT_SIGNING_SECRET)
  project.provide('fakeClusterUrl', platform.clusterUrl)
  project.provide('fakeOriginUrl', platform.originUrl)
  return () => platform.close()
}
