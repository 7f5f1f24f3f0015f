// The edge's timing budgets in one place: cache freshness and max ages, lookup and call bounds, wait rounds and
// polling, the WebSocket access re-check. They depend on each other (a route is cached twice, a wait round must fit in
// Cloudflare's waitUntil grant, a lookup must time out before its load is given up), and budgets.test.ts checks
// those invariants, so a change to one number that breaks another's promise fails there rather than in production.
// The settings a deployment may change (WAKE_TIMEOUT_MS, GATE_IDLE_MS, …) are in settings.ts.

// ── What Cloudflare grants ─────────────────────────────────────────────────────────────────────────────────────────

/** Work a request hands to ctx.waitUntil may outlive its response by this much, and no more (Cloudflare's limit). */
export const WAIT_UNTIL_GRANT_MS = 30_000

// ── Routes: slug → owner, visibility, workload state (cached in each isolate, and in the agent's gate) ───────────

/**
 * An isolate's copy of a route is fresh this long; then the next request uses it while the gate is asked again in the
 * background. With the gate's own ROUTE_FRESH_MS, a change of visibility or owner applies within ~15–20 s under traffic.
 */
export const ROUTE_CACHE_FRESH_MS = 5_000
/** An isolate never uses a copy this old (no traffic meanwhile, or the gate unreachable): the request waits for the gate. */
export const ROUTE_CACHE_MAX_AGE_MS = 15_000
/** Unknown slugs stay unknown this long in an isolate: a scan of random subdomains costs one lookup per slug per window. */
export const NEGATIVE_ROUTE_TTL_MS = 10_000
/**
 * The gate re-asks the cluster-api for the route once its copy is this old (in the background: the copy is still
 * answered meanwhile): a change of visibility or owner reaches the gate within this, and isolates a few seconds later.
 */
export const ROUTE_FRESH_MS = 10_000
/** The gate answers no copy this old (the agent had no traffic) before the cluster-api is asked again. */
export const ROUTE_MAX_AGE_MS = 30_000
/** Together: no route older than this ever decides who may talk to an agent (an isolate's copy of the gate's copy). */
export const ROUTE_DECIDES_AT_MOST_MS = 45_000

// ── API keys and memberships (cached in each isolate) ─────────────────────────────────────────────────────────────

/** A verified key is re-verified (in the background) after this long: under traffic a revoked key stops within it. */
export const KEY_FRESH_MS = 10_000
/**
 * A verification this old is never used (no traffic meanwhile, or the cluster-api unreachable): the request waits
 * for a check. So a revoked key works at most this long in an isolate that has seen it.
 */
export const KEY_MAX_AGE_MS = 30_000
/** A wrong key is re-checked after this long: bounds the lookups a key-guessing client can cause. */
export const BAD_KEY_CACHE_TTL_MS = 5_000
/** A user's tenant memberships are re-read (in the background) after this long: a removed member loses access within it. */
export const USER_TENANTS_FRESH_MS = 10_000
/** Memberships this old are never used: a removed member keeps access at most this long in an isolate. */
export const USER_TENANTS_MAX_AGE_MS = 30_000

// ── An open WebSocket's access re-check ──────────────────────────────────────────────────────────────────────────

/**
 * An open socket re-checks its credential this often (and after a client message, at most once per
 * RECHECK_AFTER_MESSAGE_GAP_MS). The re-check reads the isolate's caches above, so it costs no cluster-api call of its
 * own; their freshness then bounds how late a revocation closes the socket (about 10–15 s), never later than their
 * max age (30 s).
 */
export const ACCESS_RECHECK_INTERVAL_MS = 2_000
/** A busy socket does not re-check on every frame: a client message triggers one at most this often. */
export const RECHECK_AFTER_MESSAGE_GAP_MS = 1_000

// ── Calls to the cluster-api (cluster/internal-client.ts) ────────────────────────────────────────────────────────

/**
 * A lookup (route, key, memberships) that has not answered after this long fails: a request waiting on it gets a
 * clear 502/503 instead of a hang, and a background refresh gives up and keeps the cached answer.
 */
export const LOOKUP_TIMEOUT_MS = 5_000
/**
 * A cache load that has not settled after this long is given up: the next caller starts another. In workerd a promise
 * made by a request whose client left may never settle; every lookup a load makes has its own shorter timeout.
 */
export const LOAD_GIVE_UP_MS = 10_000
/**
 * A wake call (the driver's ensure + scale up, which answers before the agent is ready) that has not answered
 * after this long fails; the gate's wake loop then polls the status, which re-issues the wake while the agent is
 * cold. Longer than a lookup: a Kubernetes apply of a tenant's objects can take seconds.
 */
export const WAKE_CALL_TIMEOUT_MS = 15_000
/** A status long poll fails this long after the wait it asked for: the cluster-api answers when the wait ends. */
export const STATUS_ANSWER_GRACE_MS = 5_000
/** An ingest push not answered after this long fails; the ledger keeps the batch and retries it with backoff. */
export const INGEST_TIMEOUT_MS = 10_000

// ── One wake (gate/wake-loop.ts) and the requests held on it (gate/agent-gate.ts, gate/shared-wait.ts) ───────────

/** One status long poll asks the cluster-api to hold at most this long; short enough to notice an abort. */
export const LONG_POLL_MS = 10_000
/** Backoff between polls when the cluster-api answers at once (no long poll, or an error). */
export const POLL_BACKOFF_START_MS = 50
export const POLL_BACKOFF_MAX_MS = 1_000
/**
 * One waitForWake call answers `still-waking` after this long. The Worker keeps the request that made the call alive
 * with waitUntil (its client may have left): a round stays well inside Cloudflare's grant, whatever WAKE_TIMEOUT_MS is.
 */
export const WAIT_ROUND_MS = 10_000
/**
 * A waiter stops trusting a shared call this long after one round should have ended: the request that made it may
 * have been cancelled with the call still open, and the others must not wait on it forever.
 */
export const SHARED_WAIT_GRACE_MS = 5_000

// ── Warm marks (warm-agents.ts) ──────────────────────────────────────────────────────────────────────────────────

/** An isolate forgets an idle agent after this long (or the gate's idle time, if shorter), and asks the gate again. */
export const WARM_TTL_MS = 60_000

// ── Activity and usage pushes from an isolate to the gate (usage/usage-meter.ts) ─────────────────────────────────

/** Pacing between two pushes from one isolate for one agent: bounds the gate's load under heavy traffic. */
export const REPORT_GAP_MS = 1_000
/** A push loop ends after this long and the next request starts a fresh one: one request does not carry all others. */
export const REPORT_LOOP_MAX_MS = 10_000
/**
 * A push not answered within this counts as failed. Without a bound one hung gate call would keep the loop from ever
 * settling, and the agent's activity from this isolate would never be pushed again (the platform could then scale a
 * busy agent to zero). A gate answers in milliseconds when healthy.
 */
export const REPORT_TIMEOUT_MS = 5_000
