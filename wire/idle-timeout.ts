// The platform's idle timeout, shared by the parts that must agree on it: the cluster-api (KEDA's scaling answer),
// the local driver (when it stops a process) and the edge's gate (when it forgets "warm").

/** Five minutes of silence puts a superfriend to sleep (issue 4). 0 everywhere means never idle out. */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000
