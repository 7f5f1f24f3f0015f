// Chooses the workload driver named by MYINTELL_DRIVER: `local` (default) or `kubernetes`.

import type { WorkloadDriver } from './types.ts'

export type DriverName = 'local' | 'kubernetes'

export interface DriverFactoryOptions {
  name: DriverName
  /** The edge signing secret: the local ingress verifies it, runtimes receive it. */
  signingSecret: string
  /** Base URL of this cluster-api, for runtimes (usage ingest) and KEDA (activity). */
  platformUrl: string
  /** Where local state lives (.data/). */
  dataDir: string
  env: Record<string, string | undefined>
}

export async function createDriver(options: DriverFactoryOptions): Promise<WorkloadDriver> {
  // Filled in as the drivers land (issue 4); until then starting the API without a driver is refused clearly.
  throw new Error(`workload driver "${options.name}" is not available in this build yet`)
}
