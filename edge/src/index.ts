// The edge gateway Worker on *.myintell.ai (and *.localhost): routes each host to the landing page, the
// dashboard, the platform API or a superfriend, holding requests in AgentGate while a superfriend wakes.

import { createEdgeApp } from './pipeline.ts'

export { AgentGate } from './gate/agent-gate.ts'

export default createEdgeApp()
