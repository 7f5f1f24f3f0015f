// A superfriend's workload state in words people use: asleep, waking, awake (or failed).
import type { WorkloadState } from '../api/platform.ts'

export const STATE_LABEL: Record<WorkloadState, string> = { cold: 'asleep', waking: 'waking', ready: 'awake', failed: 'failed' }

export function StateBadge(props: { state: WorkloadState }) {
  return <span class={`badge state-${props.state}`} data-state={STATE_LABEL[props.state]}>{STATE_LABEL[props.state]}</span>
}
